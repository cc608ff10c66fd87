"""What the OpenAI surface serves (`openapi/openai.yaml`): the one list of its operations."""

from __future__ import annotations

from ...spec.operations import Operation

DOCUMENT = "openai.yaml"

OPERATIONS = (
    Operation(
        "listModels",
        "get",
        "/models",
        "List the models this caller may use.",
        servers=("/v1", "/"),
    ),
    Operation("retrieveModel", "get", "/models/{model}", "Retrieve one model."),
    Operation(
        "createChatCompletion",
        "post",
        "/chat/completions",
        "Create a chat completion, streamed or not.",
    ),
    Operation(
        "listChatCompletions",
        "get",
        "/chat/completions",
        "List this key's stored chat completions.",
    ),
    Operation(
        "getChatCompletion",
        "get",
        "/chat/completions/{completion_id}",
        "Retrieve a stored chat completion.",
    ),
    Operation(
        "updateChatCompletion",
        "post",
        "/chat/completions/{completion_id}",
        "Replace a stored chat completion's metadata.",
    ),
    Operation(
        "deleteChatCompletion",
        "delete",
        "/chat/completions/{completion_id}",
        "Delete a stored chat completion.",
    ),
    Operation(
        "getChatCompletionMessages",
        "get",
        "/chat/completions/{completion_id}/messages",
        "List the request messages of a stored chat completion.",
    ),
    Operation(
        "createCompletion",
        "post",
        "/completions",
        "Create a legacy text completion, streamed or not.",
    ),
    Operation(
        "createEmbedding", "post", "/embeddings", "Create embeddings for one or more inputs."
    ),
    Operation(
        "createResponse",
        "post",
        "/responses",
        "Create a model response (Responses API), streamed or not.",
    ),
    Operation(
        "Getinputtokencounts",
        "post",
        "/responses/input_tokens",
        "Count the input tokens of a Responses request.",
    ),
    Operation(
        "Compactconversation",
        "post",
        "/responses/compact",
        "Compact a conversation into a summary item, through the model's own route.",
    ),
    Operation("getResponse", "get", "/responses/{response_id}", "Retrieve a stored response."),
    Operation("deleteResponse", "delete", "/responses/{response_id}", "Delete a stored response."),
    Operation(
        "listInputItems",
        "get",
        "/responses/{response_id}/input_items",
        "List the input items of a stored response.",
    ),
    Operation(
        "createChatCompletionAlias",
        "post",
        "/openai",
        "Alias of POST /v1/chat/completions.",
        servers=("/",),
        origin="alias",
        alias_of="createChatCompletion",
    ),
    Operation(
        "getHealth",
        "get",
        "/healthz",
        "Liveness check; needs no key.",
        servers=("/",),
        origin="ours",
    ),
)
