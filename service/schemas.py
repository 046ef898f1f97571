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
    int8: bool = Field(
        description="Whether the transformer runs in int8 (NER_INT8); the performance "
        "above was measured in fp32",
        examples=[False],
    )


class Status(BaseModel):
    status: str = Field(examples=["ok"])


class ParseRequest(BaseModel):
    text: str = Field(
        min_length=1,
        # Documented, so that generated requests know a blank text is refused; checked
        # by the route, which says so more plainly than a pattern error would.
        json_schema_extra={"pattern": r"\S"},
        description="The resume's text, not blank (its length limit is given by the "
        "service's settings)",
        examples=[EXAMPLE_TEXT],
    )


class PhoneNumber(BaseModel):
    text: str = Field(
        description="The number as the resume writes it (whitespace runs as one space)",
        examples=["+49 30 2735 0737"],
    )
    e164: str = Field(
        description="The same number in E.164: + country code and digits",
        examples=["+493027350737"],
    )


class ParseResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "fields": {
                        "name": "Jane Doe",
                        "emails": ["jane.doe@example.com"],
                        "phones": ["+49 30 2735 0737"],
                        "skills": ["Python", "SQL"],
                    },
                    "phone_numbers": {
                        "phones": [
                            {"text": "+49 30 2735 0737", "e164": "+493027350737"}
                        ]
                    },
                    "entities": [
                        {"text": "Jane Doe", "label": "NAME", "start": 0, "end": 8}
                    ],
                    "text": "Jane Doe ...",
                    "html": None,
                }
            ]
        }
    )

    fields: dict[str, str | list[str]] = Field(
        description="Every configured field, always present: a single-valued field "
        'holds its first value or "", a list field its distinct values in text order '
        "or []. A typed field holds only values of its type (NER_PARSE_FIELD_TYPES): "
        "emails in their normalised form, phone numbers that are valid as written "
        "(see phone_numbers), http(s) URLs or domains, names of 2 to 5 words"
    )
    phone_numbers: dict[str, list[PhoneNumber]] = Field(
        description="For each field of type phone, always present: its numbers, in "
        "the order of `fields`, as written and in E.164 (at most one for a "
        "single-valued field)"
    )
    entities: list[Entity] = Field(description="All entities found, in text order")
    text: str = Field(
        description="The text that was parsed (for a file, the text extracted from "
        "it); entity offsets refer to it"
    )
    html: str | None = Field(
        None,
        description="The text with its entities highlighted by displaCy, when asked "
        "for with ?html=true",
    )


class Problem(BaseModel):
    loc: list[str | int] = Field(description="Where in the request the problem is")
    msg: str = Field(description="What is wrong")
    type: str = Field(description="The kind of problem")


class ErrorMessage(BaseModel):
    detail: str | list[Problem] = Field(
        description="What went wrong: a sentence, or the problems found in the body "
        "(never the content sent)"
    )
