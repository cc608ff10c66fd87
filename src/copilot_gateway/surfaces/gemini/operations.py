"""What the Gemini surface serves (`openapi/gemini.yaml`): the one list of its operations.

Gemini CLI calls `/v1beta/...`; the google-genai SDK's default API version is `v1`, so the
operations that send a body are mounted at `/v1/...` too. The model listing is not: `GET
/v1/models` and `GET /v1/models/{model}` are the OpenAI surface's (a client lists Gemini's
models at `/v1beta/models`).

Operation ids are unique across every surface's document: connexion finds an operation by
its id among all the APIs mounted at one base path (every surface is at the root), the
first that has it winning. Hence `listGeminiModels`, beside OpenAI's `listModels`."""

from __future__ import annotations

from ...spec.operations import Operation

DOCUMENT = "gemini.yaml"
BOTH_VERSIONS = ("/v1beta", "/v1")
V1BETA = ("/v1beta",)

OPERATIONS = (
    Operation(
        "generateContent",
        "post",
        "/models/{model}:generateContent",
        "Generate a model response.",
        servers=BOTH_VERSIONS,
    ),
    Operation(
        "streamGenerateContent",
        "post",
        "/models/{model}:streamGenerateContent",
        "Generate a response, streamed (server-sent events with `alt=sse`, else a JSON array).",
        servers=BOTH_VERSIONS,
    ),
    Operation(
        "countTokens",
        "post",
        "/models/{model}:countTokens",
        "Count the tokens of a prompt.",
        servers=BOTH_VERSIONS,
    ),
    Operation(
        "embedContent",
        "post",
        "/models/{model}:embedContent",
        "Embed one content.",
        servers=BOTH_VERSIONS,
    ),
    Operation(
        "batchEmbedContents",
        "post",
        "/models/{model}:batchEmbedContents",
        "Embed several contents.",
        servers=BOTH_VERSIONS,
    ),
    Operation("listGeminiModels", "get", "/models", "List the models, paged.", servers=V1BETA),
    Operation("getGeminiModel", "get", "/models/{name}", "One model.", servers=V1BETA),
)
