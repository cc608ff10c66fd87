"""Thin handlers, one module per resource of the spec, named by operationId."""

from collections.abc import Callable
from typing import Any

from . import chat, completions, embeddings, health, models

OPERATIONS: dict[str, Callable[..., Any]] = {
    "listModels": models.listModels,
    "retrieveModel": models.retrieveModel,
    "createChatCompletion": chat.createChatCompletion,
    "createChatCompletionAlias": chat.createChatCompletionAlias,
    "createCompletion": completions.createCompletion,
    "createEmbedding": embeddings.createEmbedding,
    "getHealth": health.getHealth,
}


def handler_for(operation_id: str) -> Callable[..., Any]:
    return OPERATIONS[operation_id]
