"""The OpenAI surface: its errors are `{"error": {message, type, param, code}}`, its
streams `data: {json}` events ending `data: [DONE]` (or an error event instead)."""

from __future__ import annotations

from typing import Any

from ...errors import GatewayError
from ..base import Handler, Surface
from . import chat, completions, embeddings, health, models
from .operations import DOCUMENT, OPERATIONS
from .responses import handlers as responses

HANDLERS: dict[str, Handler] = {
    "listModels": models.listModels,
    "retrieveModel": models.retrieveModel,
    "createChatCompletion": chat.createChatCompletion,
    "createChatCompletionAlias": chat.createChatCompletion,
    "createCompletion": completions.createCompletion,
    "createEmbedding": embeddings.createEmbedding,
    "createResponse": responses.createResponse,
    "getResponse": responses.getResponse,
    "deleteResponse": responses.deleteResponse,
    "listInputItems": responses.listInputItems,
    "getHealth": health.getHealth,
}


def error_body(error: GatewayError) -> dict[str, Any]:
    return {
        "error": {
            "message": error.message,
            "type": error.type,
            "param": error.param,
            "code": error.code,
        }
    }


class OpenAISurface(Surface):
    name = "openai"
    document = DOCUMENT
    operations = OPERATIONS
    handlers = HANDLERS

    def error_body(self, error: GatewayError) -> dict[str, Any]:
        return error_body(error)

    def stream_error_event(self, error: GatewayError) -> bytes:
        return self.sse_event(error_body(error))


OPENAI = OpenAISurface()
