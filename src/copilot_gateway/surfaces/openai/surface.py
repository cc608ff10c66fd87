"""The OpenAI surface: its errors are `{"error": {message, type, param, code}}`, its
streams `data: {json}` events ending `data: [DONE]` (or an error event instead)."""

from __future__ import annotations

from typing import Any

from ...errors import GatewayError, QuotaExhausted
from ..base import Handler, Surface
from . import chat, completions, embeddings, health, models, stored_completions
from .operations import DOCUMENT, OPERATIONS
from .responses import compact, input_tokens
from .responses import handlers as responses

HANDLERS: dict[str, Handler] = {
    "listModels": models.listModels,
    "retrieveModel": models.retrieveModel,
    "createChatCompletion": chat.createChatCompletion,
    "createChatCompletionAlias": chat.createChatCompletion,
    "listChatCompletions": stored_completions.listChatCompletions,
    "getChatCompletion": stored_completions.getChatCompletion,
    "updateChatCompletion": stored_completions.updateChatCompletion,
    "deleteChatCompletion": stored_completions.deleteChatCompletion,
    "getChatCompletionMessages": stored_completions.getChatCompletionMessages,
    "createCompletion": completions.createCompletion,
    "createEmbedding": embeddings.createEmbedding,
    "createResponse": compact.createResponse,  # a compaction when its trigger ends the input
    "getResponse": responses.getResponse,
    "deleteResponse": responses.deleteResponse,
    "listInputItems": responses.listInputItems,
    "Getinputtokencounts": input_tokens.Getinputtokencounts,
    "Compactconversation": compact.Compactconversation,
    "getHealth": health.getHealth,
}


# OpenAI's error `type` words, by status; other statuses by their class (see `error_type`).
TYPE_BY_STATUS = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "server_error",
}


def error_type(error: GatewayError) -> str:
    """OpenAI's `type` for an error: a spent quota says so (its SDKs tell it from a rate
    limit by it); the rest follow the status."""
    if isinstance(error, QuotaExhausted):
        return "insufficient_quota"
    if error.status in TYPE_BY_STATUS:
        return TYPE_BY_STATUS[error.status]
    return "api_error" if error.status >= 500 else "invalid_request_error"


def error_body(error: GatewayError) -> dict[str, Any]:
    return {
        "error": {
            "message": error.message,
            "type": error_type(error),
            "param": error.param,
            "code": error.code,
        }
    }


class OpenAIErrors(Surface):
    """A surface that speaks errors as OpenAI does (this one, and the admin API)."""

    def error_body(self, error: GatewayError) -> dict[str, Any]:
        return error_body(error)

    def stream_error_event(self, error: GatewayError) -> bytes:
        return self.sse_event(error_body(error))


class OpenAISurface(OpenAIErrors):
    name = "openai"
    document = DOCUMENT
    operations = OPERATIONS
    handlers = HANDLERS
    spec_path = "/openapi.json"  # where OpenAI's clients and generators look


OPENAI = OpenAISurface()
