"""Copilot's `POST /embeddings`: a unit vector per input, fixed by its text."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog, counting, gate, generate, usage
from .state import Emulator
from .wire import copilot_error, json_response


def routes(emulator: Emulator) -> list[Route]:
    async def embeddings(request: Request) -> Response:
        return await create(emulator, request)

    return [Route("/embeddings", embeddings, methods=["POST"])]


async def create(emulator: Emulator, request: Request) -> Response:
    body = await gate.model_body(emulator, request, "embeddings")
    if isinstance(body, Response):
        return body
    inputs = body.get("input")
    # Like some Copilot backends, accept only a list of strings.
    if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
        return copilot_error(
            400, "input must be a non-empty list of strings", "invalid_request_body", "input"
        )
    dimensions = body.get("dimensions") or catalog.EMBEDDING_DIMENSIONS
    if not isinstance(dimensions, int) or not 1 <= dimensions <= catalog.EMBEDDING_DIMENSIONS:
        message = f"dimensions must be between 1 and {catalog.EMBEDDING_DIMENSIONS}"
        return copilot_error(400, message, "invalid_request_body", "dimensions")
    data = [
        {"object": "embedding", "index": index, "embedding": generate.embedding(text, dimensions)}
        for index, text in enumerate(inputs)
    ]
    answer: dict = {"object": "list", "data": data, "model": body["model"]}
    if not emulator.config.omit_usage:
        answer["usage"] = usage.embeddings(counting.count(inputs, body["model"]))
    return json_response(answer)
