"""The service's settings, read once from the environment (prefix `NER_`)."""

from typing import Annotated, Literal

import phonenumbers
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ner_project.pipeline.meta import DEFAULT_PIPELINE

from .field_types import FieldType

Name = Annotated[str, Field(min_length=1)]
# One label (a single-valued field) or a non-empty list of labels (a list field).
FieldLabels = Name | Annotated[list[Name], Field(min_length=1)]
JobRole = Literal["designation", "company", "location"]
EducationRole = Literal["degree", "college", "graduation_year"]

DEFAULT_PARSE_FIELDS: dict[str, str | list[str]] = {
    "name": "NAME",
    "emails": ["EMAIL"],
    "phones": ["PHONE"],
    "urls": ["URL"],
    "locations": ["LOCATION"],
    "designations": ["DESIGNATION"],
    "companies": ["COMPANY"],
    "skills": ["SKILL"],
    "degrees": ["DEGREE"],
    "colleges": ["COLLEGE"],
}
# The entity labels of each part of a job and of an education entry in /v1/parse.
DEFAULT_JOB_LABELS: dict[str, list[str]] = {
    "designation": ["DESIGNATION"],
    "company": ["COMPANY"],
    "location": ["LOCATION"],
}
DEFAULT_EDUCATION_LABELS: dict[str, list[str]] = {
    "degree": ["DEGREE"],
    "college": ["COLLEGE"],
    "graduation_year": ["GRADUATION_YEAR"],
}
# The type of each default field whose values are checked; the others are "text".
DEFAULT_PARSE_FIELD_TYPES: dict[str, FieldType] = {
    "name": "name",
    "emails": "personal_email",
    "phones": "phone",
    "urls": "url",
}
# Texts per transformer pass on the CPU: 16 and 32 served fewer words/s (serving.md).
CPU_PIPE_BATCH_SIZE = 8


class Settings(BaseSettings):
    """What the service loads, what it accepts and who may call it.

    Each field is read from `NER_<FIELD>` (`NER_MODEL`, `NER_API_KEY`, ...); a list or
    a mapping is written as JSON: `NER_CORS_ORIGINS='["https://app.example.com"]'`,
    `NER_PARSE_FIELDS='{"name": "Name", "skills": ["Skills"]}'`.
    """

    model_config = SettingsConfigDict(env_prefix="NER_")

    model: str = Field(
        DEFAULT_PIPELINE,
        description="Pipeline folder or installed package name, such as en_resume_ner",
    )
    max_text_chars: int = Field(
        100_000, gt=0, description="Longest text accepted, in characters"
    )
    max_texts: int = Field(64, gt=0, description="Most texts in one request")
    max_upload_bytes: int = Field(
        5_000_000, gt=0, description="Largest file accepted by /v1/parse, in bytes"
    )
    max_request_bytes: int = Field(
        10_000_000,
        gt=0,
        description="Largest request body of any route, in bytes (larger: 413)",
    )
    parse_fields: dict[Name, FieldLabels] = Field(
        default_factory=lambda: dict(DEFAULT_PARSE_FIELDS),
        description="The record /v1/parse returns: each field and the entity labels "
        "that fill it; a label written as a string makes a single-valued field (the "
        "first such entity), a list of labels a list of distinct values",
    )
    parse_field_types: dict[Name, FieldType] | None = Field(
        None,
        description="What each field of /v1/parse may hold: email, personal_email "
        "(an email but not a role account such as info@ or careers@), phone, url, "
        "name or text (the type of a field not named here); an entity whose text is "
        "not of its field's type stays in `entities` but out of the field. Unset: "
        "name is a name, emails personal_email, phones a phone, urls a url, the "
        "others text (when NER_PARSE_FIELDS renames fields, set this too)",
    )
    parse_job_labels: dict[JobRole, list[Name]] = Field(
        default_factory=lambda: dict(DEFAULT_JOB_LABELS),
        description="The entity labels of each part of a job in /v1/parse's `jobs` "
        "(designation, company, location); a job's dates are read from the text",
    )
    parse_education_labels: dict[EducationRole, list[Name]] = Field(
        default_factory=lambda: dict(DEFAULT_EDUCATION_LABELS),
        description="The entity labels of each part of an education entry "
        "(degree, college, graduation_year); without a graduation_year entity, an "
        "entry takes the latest year written on its lines",
    )
    phone_region: str | None = Field(
        None,
        description="Region (ISO 3166 code such as US, IN, DE) of phone numbers written "
        "without a country code; unset, only numbers written with their country code "
        "(+49 ...) reach a phone field, since a guessed region gives a wrong number",
    )
    min_confidence: dict[Name, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description="Per-label thresholds: entities of a label named here whose "
        "confidence is below its value are left out of every response (labels not "
        'named: all kept), e.g. {"SKILL": 0.5}',
    )
    max_batch_size: int = Field(
        32, gt=0, description="Most texts in one nlp.pipe call across requests"
    )
    pipe_batch_size: int | None = Field(
        None,
        gt=0,
        description="Texts per transformer forward pass within one nlp.pipe call "
        "(texts are sorted by length first, so each pass pads little). Unset: 8 on "
        "the CPU, where larger passes pad more than they save; max_batch_size on a "
        "GPU, where a pass of 32 ran 1.7x passes of 8",
    )
    int8: bool = Field(
        False,
        description="Run the transformer's matrix products in int8 on the CPU "
        "(dynamic quantization, by the runtime NER_RUNTIME names: ONNX Runtime's "
        "quantized export, or PyTorch's quantized linear layers), at the speed and "
        "F1 cost the benchmarks' results give",
    )
    runtime: Literal["auto", "torch", "onnxruntime"] = Field(
        "auto",
        description="What computes the transformer in fp32 on the CPU: ONNX Runtime "
        "(the same weights, exported once and cached; within 1e-4 of PyTorch), "
        "PyTorch, or auto (ONNX Runtime where it is installed); and in int8 "
        "(NER_INT8). GPUs run PyTorch; /v1/model says which runs",
    )
    gpu_id: int = Field(
        -1,
        ge=-1,
        description="GPU to run the pipeline on (-1: the CPU); needs the GPU extras "
        "(requirements-gpu.txt). The transformer then runs in PyTorch",
    )
    torch_threads: int | None = Field(
        None,
        gt=0,
        description="Torch threads of the inference thread (default: torch's own)",
    )
    max_wait_ms: float = Field(
        0,
        ge=0,
        description="How long a batch waits for more requests to join it (0: it takes "
        "what is queued; under load, requests queue while the previous batch runs)",
    )
    max_queue: int = Field(
        256, gt=0, description="Requests waiting for the pipeline; more get a 503"
    )
    batching: bool = Field(
        True,
        description="Batch requests that arrive together (false: one request per "
        "nlp.pipe call with batch size 1, a baseline for benchmarks)",
    )
    api_key: str | None = Field(
        None, description="When set, /v1 routes require it in the X-API-Key header"
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (empty: none)",
    )

    @field_validator("phone_region")
    @classmethod
    def known_region(cls, region: str | None) -> str | None:
        if region is None:
            return None
        if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"{region!r} is not a region phonenumbers knows: give an ISO 3166 "
                "code such as US, IN or DE"
            )
        return region.upper()

    @field_validator("gpu_id")
    @classmethod
    def fp32_on_a_gpu(cls, gpu_id: int, info: ValidationInfo) -> int:
        if gpu_id >= 0 and info.data.get("int8"):
            raise ValueError(
                "int8 runs on the CPU only: serve on a GPU in fp32 (NER_INT8 false)"
            )
        return gpu_id

    @model_validator(mode="after")
    def pipe_batch_for_the_device(self) -> "Settings":
        if self.pipe_batch_size is None:
            self.pipe_batch_size = (
                CPU_PIPE_BATCH_SIZE if self.gpu_id < 0 else self.max_batch_size
            )
        return self

    @field_validator("parse_field_types")
    @classmethod
    def types_name_parse_fields(
        cls, types: dict[str, FieldType] | None, info: ValidationInfo
    ) -> dict[str, FieldType]:
        """The default types of the parsed fields when none are given; types given
        for fields that are not parsed are a mistake."""
        fields = info.data.get("parse_fields", {})
        if types is None:
            return {
                field: kind
                for field, kind in DEFAULT_PARSE_FIELD_TYPES.items()
                if field in fields
            }
        if unknown := [field for field in types if field not in fields]:
            raise ValueError(
                f"names fields that NER_PARSE_FIELDS lacks: {', '.join(unknown)}"
            )
        return types
