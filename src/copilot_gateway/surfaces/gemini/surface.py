"""The Gemini surface: its errors are Google's `{"error": {code, message, status}}` (with a
`BadRequest` detail naming the field, where one is at fault), its streams `data: {json}`
events with no end marker (`alt=sse`) or one JSON array, whose last element is the error
when the stream fails."""

from __future__ import annotations

from typing import Any

from ...errors import GatewayError
from ..base import Handler, Surface
from . import count_tokens, embeddings, generate, models
from .google_errors import error_body
from .operations import DOCUMENT, OPERATIONS

HANDLERS: dict[str, Handler] = {
    "generateContent": generate.generateContent,
    "streamGenerateContent": generate.streamGenerateContent,
    "countTokens": count_tokens.countTokens,
    "embedContent": embeddings.embedContent,
    "batchEmbedContents": embeddings.batchEmbedContents,
    "listGeminiModels": models.listGeminiModels,
    "getGeminiModel": models.getGeminiModel,
}


# The model methods the google-genai SDK calls under `/v1/models/`, whose other paths are
# OpenAI's (a model id there may hold a colon too).
V1_METHODS = tuple(":" + op.path.rpartition(":")[2] for op in OPERATIONS if ":" in op.path)


def claims(path: str) -> bool:
    """Its paths: all of `/v1beta/`, and its model methods under `/v1/models/`."""
    return path.startswith("/v1beta/") or (
        path.startswith("/v1/models/") and path.endswith(V1_METHODS)
    )


class GeminiSurface(Surface):
    name = "gemini"
    document = DOCUMENT
    operations = OPERATIONS
    handlers = HANDLERS
    path_prefixes = ("/v1beta/",)
    key_hint = "'x-goog-api-key: <key>' (or '?key=<key>', or 'Authorization: Bearer <key>')"

    def claims(self, path: str) -> bool:
        return claims(path)

    def error_body(self, error: GatewayError) -> dict[str, Any]:
        return error_body(error)

    def stream_error_event(self, error: GatewayError) -> bytes:
        return self.sse_event(error_body(error))


GEMINI = GeminiSurface()
