"""ner_project/annotation (the `annotate` command): every record of a corpus comes out once, in order, with the
pipeline's entities, the same on both engines, and only when the run completes."""

import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.tokens import DocBin

from ner_project.annotation import corpus as annotation_corpus
from ner_project.annotation.corpus import annotate_corpus
from ner_project.annotation.engines import Engine, EngineSettings, local_entities
from ner_project.annotation.records import Export, labelstudio_task
from ner_project.conversion.errors import DataError
from tests.helpers import PROJECT_DIR, assert_same_records, run_cli

ANNOTATE = [sys.executable, str(PROJECT_DIR / "scripts" / "annotate.py")]
CONVERT = [sys.executable, str(PROJECT_DIR / "scripts" / "convert.py")]


def demo_texts() -> list[str]:
    """The 40 documents of the demo test set as text: tokens joined by spaces, one
    line per sentence."""
    texts, lines, tokens = [], [], []
    source = PROJECT_DIR / "assets" / "demo" / "test.tsv"
    for line in [*source.read_text(encoding="utf-8").splitlines(), "-DOCSTART-\tO"]:
        if line.startswith("-DOCSTART-") or not line.strip():
            if tokens:
                lines.append(" ".join(tokens))
                tokens = []
            if line.startswith("-DOCSTART-") and lines:
                texts.append("\n".join(lines))
                lines = []
        else:
            tokens.append(line.split("\t")[0])
    return texts


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return list(srsly.read_jsonl(path))


def leftovers(folder: Path, *kept: Path) -> list[str]:
    """Files in `folder` other than `kept`: temporary outputs that were not removed."""
    return sorted(p.name for p in folder.iterdir() if p not in kept)


@pytest.fixture(scope="module")
def embedded_ray():
    """One local Ray with 2 CPUs for the module's tests (startup takes seconds)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield ray
    ray.shutdown()


@pytest.fixture
def local(trained_pipeline) -> EngineSettings:
    return EngineSettings(str(trained_pipeline), Engine.local, batch_size=8)


@pytest.fixture
def demo_jsonl(tmp_path) -> Path:
    records = [{"id": f"cv-{i}", "text": t} for i, t in enumerate(demo_texts()[:12])]
    return write_jsonl(tmp_path / "texts.jsonl", records)


@pytest.mark.realdata
def test_ray_engine_equals_local_engine_record_by_record_on_real_cvs(
    data_dir, tmp_path, trained_pipeline, embedded_ray
):
    lines = (data_dir / "resumes-dotin" / "test.jsonl").read_text().splitlines()
    source = tmp_path / "cvs.jsonl"
    source.write_text("\n".join(lines[:20]) + "\n")
    model = str(trained_pipeline)
    local_output, ray_output = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    annotate_corpus(source, local_output, EngineSettings(model, batch_size=4))
    ray_settings = EngineSettings(model, Engine.ray, batch_size=4, actors=2)
    counts = annotate_corpus(source, ray_output, ray_settings)
    inputs, by_local, by_ray = map(read_jsonl, (source, local_output, ray_output))
    assert (counts.read, counts.annotated, counts.rejected) == (20, 20, 0)
    assert [r["id"] for r in by_ray] == [r["id"] for r in inputs]
    assert [{k: r[k] for k in r if k != "entities"} for r in by_ray] == inputs
    assert_same_records(by_ray, by_local)
    assert sum(len(record["entities"]) for record in by_ray) > 0


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"text": "broken', "invalid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"id": 7, "text": 12}', "no text: expected a string field 'text'"),
    ],
)
def test_malformed_line_is_an_error_naming_the_file_and_line(
    tmp_path, local, line, reason
):
    source = tmp_path / "texts.jsonl"
    source.write_text('{"text": "Anna Lee"}\n\n' + line + '\n{"text": "Bo"}\n')
    output = tmp_path / "out.jsonl"
    with pytest.raises(DataError, match=reason) as error:
        annotate_corpus(source, output, local)
    assert str(error.value).startswith(f"{source}:3: ")
    assert leftovers(tmp_path, source) == []


def test_cli_stops_on_a_malformed_line_without_writing_output(tmp_path):
    source = tmp_path / "texts.jsonl"
    source.write_text('{"text": "Anna Lee"}\nnot json\n')
    output = tmp_path / "out.jsonl"
    result = run_cli([*ANNOTATE, source, output, "--model", "not-loaded"])
    assert result.returncode == 1
    assert f"{source}:2: invalid JSON" in result.output
    assert "No output written" in result.output
    assert leftovers(tmp_path, source) == []


def test_cli_refuses_a_gpu_it_cannot_use_before_reading(tmp_path, trained_pipeline):
    source, output = tmp_path / "in.txt", tmp_path / "out.jsonl"
    source.write_text("Ada Lovelace, ada@example.com\n")
    # No cupy here, or fewer than eight GPUs: either way nothing is annotated.
    result = run_cli(
        [*ANNOTATE, source, output, "--model", trained_pipeline, "--gpu-id", "7"]
    )
    assert result.returncode == 1
    assert "gpu_id=7" in result.output
    assert "Traceback" not in result.output
    assert not output.exists()


def test_rejects_option_writes_reasons_and_prints_counts(tmp_path, trained_pipeline):
    source = tmp_path / "texts.jsonl"
    source.write_text(
        '{"id": "a", "text": "Anna Lee, Data Engineer"}\n'
        "not json\n"
        '{"id": "b", "text": "Python and SQL"}\n'
        '{"id": "c"}\n'
        '{"id": "d", "text": "Pune"}\n'
    )
    output, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = run_cli(
        [*ANNOTATE, source, output, "--model", trained_pipeline, "--rejects", rejects]
    )
    assert result.returncode == 0, result.output
    assert "Read 5, annotated 3, rejected 2" in result.output
    assert [record["id"] for record in read_jsonl(output)] == ["a", "b", "d"]
    assert read_jsonl(rejects) == [
        {
            "file": str(source),
            "line": 2,
            "reason": "invalid JSON: Expecting value (column 1)",
            "raw": "not json",
        },
        {
            "file": str(source),
            "line": 4,
            "reason": "no text: expected a string field 'text'",
            "raw": '{"id": "c"}',
        },
    ]


def test_pipeline_failing_midway_leaves_no_output(tmp_path, local, monkeypatch):
    source = write_jsonl(tmp_path / "texts.jsonl", [{"text": "x"}] * 5)
    output, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"

    def failing_engine(texts, settings):
        for number, _ in enumerate(texts):
            if number == 3:
                raise RuntimeError("worker lost")
            yield []

    monkeypatch.setattr(annotation_corpus, "annotate_texts", failing_engine)
    with pytest.raises(RuntimeError, match="worker lost"):
        annotate_corpus(source, output, local, rejects_path=rejects)
    assert leftovers(tmp_path, source) == []


@pytest.mark.parametrize(
    "stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"]
)
def test_interrupted_run_leaves_no_output_and_no_temporary_file(
    tmp_path, trained_pipeline, stop
):
    source = tmp_path / "texts.txt"
    # Long enough that the signal always comes before the end.
    source.write_text("Anna Lee, Data Engineer at Acme, Pune. Python, SQL.\n" * 200_000)
    output = tmp_path / "out.jsonl"
    command = [*ANNOTATE, source, output, "--model", trained_pipeline]
    run = subprocess.Popen([str(arg) for arg in command], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size for p in tmp_path.glob(".out.jsonl.*")):
            assert run.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        run.send_signal(stop)
        assert run.wait(timeout=60) != 0
    finally:
        run.kill()
    assert not output.exists()
    assert leftovers(tmp_path, source) == []


def test_plain_text_gives_one_record_per_line_and_keeps_empty_entity_lists(
    tmp_path, local
):
    texts = [t.replace("\n", " ") for t in demo_texts()[:3]]
    source = tmp_path / "texts.txt"
    source.write_text(f"{texts[0]}\n\n{texts[1]}\n  \nPune\n{texts[2]}\n")
    output = tmp_path / "out.jsonl"
    counts = annotate_corpus(source, output, local)
    records = read_jsonl(output)
    assert counts.read == counts.annotated == 4
    assert [r["text"] for r in records] == [texts[0], texts[1], "Pune", texts[2]]
    assert all(isinstance(r["entities"], list) for r in records)


def test_records_without_entities_keep_an_empty_entities_list(
    tmp_path, local, monkeypatch
):
    source = write_jsonl(tmp_path / "texts.jsonl", [{"id": 1, "text": "zzz"}])
    monkeypatch.setattr(
        annotation_corpus, "annotate_texts", lambda texts, settings: ([] for _ in texts)
    )
    annotate_corpus(source, tmp_path / "out.jsonl", local)
    assert read_jsonl(tmp_path / "out.jsonl") == [
        {"id": 1, "text": "zzz", "entities": []}
    ]


def test_folder_of_text_files_gives_records_with_file_names_as_ids(tmp_path, local):
    folder = tmp_path / "cvs"
    folder.mkdir()
    texts = demo_texts()[:3]
    for name, text in zip(("b.txt", "a.txt", "c.txt"), texts, strict=True):
        (folder / name).write_text(text)
    (folder / "notes.md").write_text("not a text file")
    output = tmp_path / "out.jsonl"
    annotate_corpus(folder, output, local)
    records = read_jsonl(output)
    assert [r["id"] for r in records] == ["a.txt", "b.txt", "c.txt"]
    assert [r["text"] for r in records] == [texts[1], texts[0], texts[2]]


def test_entities_are_the_pipelines_with_character_offsets(tmp_path, local, demo_jsonl):
    output = tmp_path / "out.jsonl"
    annotate_corpus(demo_jsonl, output, local)
    nlp = spacy.load(local.model)
    for record in read_jsonl(output):
        doc = nlp(record["text"])
        expected = [(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents]
        found = [
            (e["start"], e["end"], e["label"], e["text"]) for e in record["entities"]
        ]
        assert found == expected
        assert all(record["text"][s:e] == t for s, e, _, t in found)


def test_parquet_output_holds_the_same_records_as_jsonl(tmp_path, local, demo_jsonl):
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    jsonl, parquet = tmp_path / "out.jsonl", tmp_path / "out.parquet"
    annotate_corpus(demo_jsonl, jsonl, local)
    annotate_corpus(demo_jsonl, parquet, local)
    # Two runs of the pipeline: confidences may differ in the last digits.
    assert_same_records(
        pyarrow_parquet.read_table(parquet).to_pylist(), read_jsonl(jsonl)
    )


def test_local_engine_with_two_processes_gives_the_same_output(tmp_path, local):
    # Run as a command: a process whose torch has run already (pytest's, here) would
    # fork workers that hang, which the command avoids by loading with one thread.
    source = tmp_path / "texts.txt"
    source.write_text("".join(t.replace("\n", " ") + "\n" for t in demo_texts()[:10]))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    for output, processes in ((one, "1"), (two, "2")):
        command = [*ANNOTATE, source, output, "--model", local.model, "--batch-size"]
        command += ["4", "--processes", processes]
        result = subprocess.run(
            [str(arg) for arg in command], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr[-2000:]
    assert_same_records(read_jsonl(two), read_jsonl(one))


def test_both_runtimes_annotate_alike_and_an_unknown_one_is_refused(tmp_path, local):
    source = tmp_path / "texts.txt"
    source.write_text("".join(t.replace("\n", " ") + "\n" for t in demo_texts()[:10]))
    outputs = {}
    for runtime in ("torch", "onnxruntime"):
        outputs[runtime] = tmp_path / f"{runtime}.jsonl"
        command = [*ANNOTATE, source, outputs[runtime], "--model", local.model]
        result = run_cli([*command, "--runtime", runtime])
        assert result.returncode == 0, result.output
    assert_same_records(
        read_jsonl(outputs["onnxruntime"]), read_jsonl(outputs["torch"])
    )
    bad = tmp_path / "bad.jsonl"
    result = run_cli(
        [*ANNOTATE, source, bad, "--model", local.model, "--runtime", "trt"]
    )
    assert result.returncode == 2
    assert "'trt' is not one of" in result.output
    assert not bad.exists()


def test_gpu_runs_one_process_with_a_warning(local, monkeypatch, capsys):
    monkeypatch.setattr(spacy, "require_gpu", lambda gpu_id: True)
    found = list(local_entities(["Anna Lee"], local.model, 8, processes=2, gpu_id=0))
    assert len(found) == 1
    assert "--processes 2 ignored on GPU: running 1 process" in capsys.readouterr().out


def test_export_to_parquet_is_refused(tmp_path, local, demo_jsonl):
    with pytest.raises(DataError, match="--export doccano writes JSON"):
        annotate_corpus(demo_jsonl, tmp_path / "out.parquet", local, Export.doccano)


def test_labelstudio_offsets_count_utf16_units_after_an_emoji(tmp_path):
    text = "🚀 Anna Lee"
    entity = {"text": "Anna Lee", "label": "NAME", "start": 2, "end": 10}
    task = labelstudio_task({"text": text}, [entity], "en_test-0.0.0")
    value = task["predictions"][0]["result"][0]["value"]
    assert (value["start"], value["end"]) == (3, 11)
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps([task]))
    result = run_cli([*CONVERT, source, tmp_path / "out.spacy", "--format", "jsonl"])
    assert result.returncode == 0, result.output
    doc = next(
        iter(
            DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("en").vocab)
        )
    )
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(2, 10, "NAME")]


def test_labelstudio_regions_carry_their_confidence_and_the_task_the_least():
    entities = [
        {"text": "Anna Lee", "label": "NAME", "start": 0, "end": 8, "confidence": 0.9},
        {"text": "Acme", "label": "COMPANY", "start": 12, "end": 16, "confidence": 0.4},
    ]
    task = labelstudio_task({"text": "Anna Lee at Acme"}, entities, "en_test-0.0.0")
    (prediction,) = task["predictions"]
    assert [result["score"] for result in prediction["result"]] == [0.9, 0.4]
    assert prediction["score"] == 0.4


@pytest.mark.parametrize(
    ("export", "suffix"),
    [
        (Export.labelstudio, ".json"),
        (Export.doccano, ".jsonl"),
        (Export.prodigy, ".jsonl"),
    ],
)
def test_exported_pre_annotations_convert_back_to_the_same_entities(
    tmp_path, local, demo_jsonl, export, suffix
):
    annotated, exported = tmp_path / "out.jsonl", tmp_path / f"{export}{suffix}"
    annotate_corpus(demo_jsonl, annotated, local)
    annotate_corpus(demo_jsonl, exported, local, export)
    corpus = tmp_path / "back.spacy"
    result = run_cli([*CONVERT, exported, corpus, "--format", "jsonl"])
    assert result.returncode == 0, result.output
    docs = list(DocBin().from_disk(corpus).get_docs(spacy.blank("en").vocab))
    expected = [
        [(e["start"], e["end"], e["label"]) for e in record["entities"]]
        for record in read_jsonl(annotated)
    ]
    assert [
        [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs
    ] == expected
    assert sum(map(len, expected)) > 0
