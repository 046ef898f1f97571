"""The OpenAPI document of a running service: the routes' schemas, with the limits its
settings set, so that a request valid by the document is one the service accepts."""

import copy
from collections.abc import Callable

from fastapi import FastAPI

from .settings import Settings


def document_limits(app: FastAPI, settings: Settings) -> Callable[[], dict]:
    """`app.openapi`: FastAPI's document, built once, with the settings' limits on the
    number of texts and the length of a text written into the request bodies."""

    fastapi_document = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            # A copy: FastAPI shares the routes' `openapi_extra` dicts with it.
            schema = copy.deepcopy(fastapi_document())
            texts = schema["components"]["schemas"]["EntitiesRequest"]["properties"]
            texts["texts"]["maxItems"] = settings.max_texts
            texts["texts"]["items"]["maxLength"] = settings.max_text_chars
            bodies = schema["paths"]["/v1/parse"]["post"]["requestBody"]["content"]
            bodies["application/json"]["schema"]["properties"]["text"]["maxLength"] = (
                settings.max_text_chars
            )
            bodies["text/plain"]["schema"]["maxLength"] = settings.max_text_chars
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi
