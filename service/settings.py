"""The service's settings, read once from the environment (prefix `NER_`)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What the service loads, what it accepts and who may call it.

    Each field is read from `NER_<FIELD>` (`NER_MODEL`, `NER_API_KEY`, ...); a list
    such as `NER_CORS_ORIGINS` is written as JSON: `["https://app.example.com"]`.
    """

    model_config = SettingsConfigDict(env_prefix="NER_")

    model: str = Field(
        "training/model-best",
        description="Pipeline folder or installed package name, such as en_resume_ner",
    )
    max_text_chars: int = Field(
        100_000, gt=0, description="Longest text accepted, in characters"
    )
    max_texts: int = Field(64, gt=0, description="Most texts in one request")
    max_batch_size: int = Field(
        32, gt=0, description="Most texts in one nlp.pipe call across requests"
    )
    max_wait_ms: float = Field(
        5, ge=0, description="How long a batch waits for more requests to join it"
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
