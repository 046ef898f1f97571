"""The peer that the speed benchmarks time beside ours: the Hugging Face
`pipeline("token-classification")` on the same transformer, and its model's bare
forward pass on the same batches (tokenizer and model, no pre- or post-processing)."""

import torch


def hf_classifier(transformer: str, labels: int, device: int = -1):
    """The HF token-classification pipeline on `device` (-1: the CPU)."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    model = AutoModelForTokenClassification.from_pretrained(
        transformer, num_labels=labels
    )
    tokenizer = AutoTokenizer.from_pretrained(transformer)
    return pipeline(
        "token-classification", model=model, tokenizer=tokenizer, device=device
    )


def hf_forward(classifier, strings: list[str], batch_size: int) -> None:
    """The HF pipeline's tokenizer and model on `strings`, batch by batch, padded to
    each batch's longest text as the pipeline pads them (and, on a GPU, waited for)."""
    device = classifier.model.device
    with torch.inference_mode():
        for start in range(0, len(strings), batch_size):
            batch = classifier.tokenizer(
                strings[start : start + batch_size],
                padding=True,
                truncation=True,
                return_tensors="pt",
            )
            classifier.model(**batch.to(device))
    if device.type == "cuda":
        torch.cuda.synchronize(device)
