"""The JSON bodies the emulator answers with: plain answers, each service's error shape, and
OpenAI's chat envelope. Written from Copilot's observed protocol, not from the gateway."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"
# Copilot sends its errors as JSON with a text/plain content type.
COPILOT_ERROR_TYPE = "text/plain; charset=utf-8"


def json_response(body: object, status: int = 200, media_type: str = JSON) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=media_type)


def copilot_error(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> Response:
    """Copilot's error: `{"error": {message, code, param, type}}`, sent as text/plain."""
    error = {"message": message, "code": code, "param": param, "type": "invalid_request_error"}
    return json_response({"error": error}, status, COPILOT_ERROR_TYPE)


def github_error(status: int, message: str) -> Response:
    """GitHub's REST error: `{message, documentation_url}`."""
    return json_response(
        {"message": message, "documentation_url": "https://docs.github.com/rest"}, status
    )


def anthropic_error(status: int, kind: str, message: str) -> Response:
    """Anthropic's error, as Copilot's native /v1/messages sends it."""
    return json_response({"type": "error", "error": {"type": kind, "message": message}}, status)


def chat_object(
    kind: str, completion_id: str, created: int, model: str, choices: list, **extra: Any
) -> dict[str, Any]:
    """A `chat.completion` or `chat.completion.chunk`: the fields around its choices."""
    return {
        "id": completion_id,
        "object": kind,
        "created": created,
        "model": model,
        "choices": choices,
        **extra,
    }
