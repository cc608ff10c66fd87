"""POST /v1/embeddings."""

from __future__ import annotations

import base64
import struct

from starlette.responses import Response

from .. import tokens
from ..errors import InvalidRequest, UpstreamFailed
from ..policy import require_model
from ..record import note_usage
from ..service import current_gateway, validated_body


def input_texts(value: str | list, model: str) -> list[str]:
    """Every accepted input form as a list of strings (upstreams take only that)."""
    if isinstance(value, str):
        return [value]
    if all(isinstance(item, str) for item in value):
        return list(value)
    arrays = value if isinstance(value[0], list) else [value]
    try:
        return [tokens.decode(array, model) for array in arrays]
    except ValueError:
        raise InvalidRequest(
            "The input holds token ids outside the model's vocabulary.", param="input"
        ) from None


def as_base64(vector: list[float]) -> str:
    """OpenAI's base64 form: the vector as little-endian float32s."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


async def createEmbedding() -> Response:
    body = validated_body()
    gateway = current_gateway()
    await require_model(gateway, body["model"], "embeddings")
    texts = input_texts(body["input"], body["model"])
    upstream_body = {"model": body["model"], "input": texts, "encoding_format": "float"}
    for passed in ("dimensions", "user"):
        if body.get(passed) is not None:
            upstream_body[passed] = body[passed]
    answer = await gateway.upstream.embeddings(upstream_body)

    data = sorted(
        (item for item in answer.get("data") or [] if isinstance(item, dict)),
        key=lambda item: item.get("index", 0),
    )
    if len(data) != len(texts) or not all(isinstance(item.get("embedding"), list) for item in data):
        raise UpstreamFailed("The upstream returned embeddings that do not match the input.")
    encode = as_base64 if body.get("encoding_format") == "base64" else list
    usage = answer.get("usage")
    if not isinstance(usage, dict):
        prompt = tokens.count(texts, body["model"])
        usage = {"prompt_tokens": prompt, "total_tokens": prompt}
    note_usage(usage)
    result = {
        "object": "list",
        "data": [
            {"object": "embedding", "index": index, "embedding": encode(item["embedding"])}
            for index, item in enumerate(data)
        ],
        "model": answer.get("model") or body["model"],
        "usage": {
            "prompt_tokens": usage.get("prompt_tokens", 0),
            "total_tokens": usage.get("total_tokens", 0),
        },
    }
    return gateway.answer("CreateEmbeddingResponse", result)
