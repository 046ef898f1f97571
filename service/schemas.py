"""Request and response bodies: their descriptions and examples make /docs the API
reference."""

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_TEXT = "Jane Doe, data engineer at Acme Corp in Berlin. jane.doe@example.com"


class EntitiesRequest(BaseModel):
    texts: list[str] = Field(
        min_length=1,
        description="Texts to annotate (at least one; the limits on their number and "
        "length are given by the service's settings)",
        examples=[[EXAMPLE_TEXT]],
    )


class Entity(BaseModel):
    text: str = Field(description="The entity's text", examples=["Jane Doe"])
    label: str = Field(description="The entity's label", examples=["NAME"])
    start: int = Field(
        description="Offset of its first character in the input text", examples=[0]
    )
    end: int = Field(
        description="Offset just after its last character: text[start:end] is the "
        "entity's text",
        examples=[8],
    )


class TextEntities(BaseModel):
    entities: list[Entity] = Field(description="The text's entities, in text order")


class EntitiesResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "entities": [
                                {
                                    "text": "Jane Doe",
                                    "label": "NAME",
                                    "start": 0,
                                    "end": 8,
                                }
                            ]
                        }
                    ]
                }
            ]
        }
    )

    results: list[TextEntities] = Field(
        description="One result per input text, in input order"
    )


class ModelInfo(BaseModel):
    name: str = Field(description="The pipeline's name", examples=["en_resume_ner"])
    version: str = Field(description="The pipeline's version", examples=["0.1.0"])
    labels: list[str] = Field(
        description="The entity labels it predicts", examples=[["EMAIL", "NAME"]]
    )
    performance: dict = Field(
        description="Scores recorded in the pipeline's meta (empty if none)",
        examples=[{"ents_f": 0.91, "ents_p": 0.9, "ents_r": 0.92}],
    )


class Status(BaseModel):
    status: str = Field(examples=["ok"])
