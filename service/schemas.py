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
    confidence: float | None = Field(
        ge=0,
        le=1,
        description="How sure the pipeline is of the entity: the probability its "
        "model gives it (1 for a pattern rule's match); null from a pipeline packaged "
        "without confidences",
        examples=[0.97],
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
                                    "confidence": 0.97,
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
    runtime: str = Field(
        description="What computes the transformer: onnxruntime or torch (thinc for a "
        "pipeline without one); set by NER_RUNTIME",
        examples=["onnxruntime"],
    )
    device: str = Field(
        description="Where the pipeline runs: cpu, or gpu:N (NER_GPU_ID)",
        examples=["cpu"],
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


class TextValue(BaseModel):
    text: str = Field(description="The value (whitespace runs as one space)")
    start: int = Field(description="Offset of its first character in `text`")
    end: int = Field(description="Offset just after its last character")


class DateValue(BaseModel):
    date: str = Field(
        description='ISO 8601 at the precision written ("2014", "2014-06", '
        '"2014-06-15"), or "present" for an open end ("till now", "to date")',
        examples=["2019-05", "present"],
    )
    text: str = Field(description="The date as written (empty for an open end)")
    start: int = Field(description="Offset of its first character in `text`")
    end: int = Field(description="Offset just after its last character")


class Job(BaseModel):
    designation: TextValue | None = Field(description="The job title")
    company: TextValue | None = Field(description="The employer")
    location: TextValue | None = Field(description="Where the job was")
    start: DateValue | None = Field(description="When it began")
    end: DateValue | None = Field(description='When it ended, or "present"')


class Education(BaseModel):
    degree: TextValue | None = Field(description="The degree")
    college: TextValue | None = Field(description="Where it was taken")
    graduation_year: TextValue | None = Field(description="The year it ended")


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
                    "jobs": [
                        {
                            "designation": {
                                "text": "Data Engineer",
                                "start": 9,
                                "end": 22,
                            },
                            "company": {"text": "Acme Corp", "start": 24, "end": 33},
                            "location": None,
                            "start": {
                                "date": "2019-05",
                                "text": "May 2019",
                                "start": 35,
                                "end": 43,
                            },
                            "end": {
                                "date": "present",
                                "text": "Present",
                                "start": 46,
                                "end": 53,
                            },
                        }
                    ],
                    "education": [],
                    "experience_years": 7.6,
                    "entities": [
                        {
                            "text": "Jane Doe",
                            "label": "NAME",
                            "start": 0,
                            "end": 8,
                            "confidence": 0.97,
                        }
                    ],
                    "text": "Jane Doe\nData Engineer, Acme Corp, May 2019 - Present",
                    "html": None,
                }
            ]
        }
    )

    fields: dict[str, str | list[str]] = Field(
        description="Every configured field, always present: a single-valued field "
        'holds its first value or "", a list field its distinct values in text order '
        "or []. A typed field holds only values of its type (NER_PARSE_FIELD_TYPES): "
        "emails in their normalised form (by default no role accounts such as "
        "info@), phone numbers that are valid as written (see phone_numbers), "
        "http(s) URLs or domains, names of 1 to 15 capitalised words (a full name "
        "first)"
    )
    phone_numbers: dict[str, list[PhoneNumber]] = Field(
        description="For each field of type phone, always present: its numbers, in "
        "the order of `fields`, as written and in E.164 (at most one for a "
        "single-valued field)"
    )
    jobs: list[Job] = Field(
        description="Work history, in text order: the designation, company and "
        "location entities and the date range that a CV writes together (on one line "
        "or neighbouring lines), each with its offsets (NER_PARSE_JOB_LABELS)"
    )
    education: list[Education] = Field(
        description="Education, in text order: each degree with its college and "
        "graduation year (NER_PARSE_EDUCATION_LABELS)"
    )
    experience_years: float | None = Field(
        description="Years of work: the union of the jobs' date intervals, time in "
        "two jobs at once counted once, to one decimal; null when no job has dates"
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
