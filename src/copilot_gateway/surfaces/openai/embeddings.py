"""POST /v1/embeddings."""

from __future__ import annotations

import base64
import struct

from starlette.responses import Response

from ... import usage
from ...access.models import model_for_prompt
from ...call import Call
from ...errors import UpstreamFailed
from .endpoints import EMBEDDINGS
from .inputs import texts_of


def as_base64(vector: list[float]) -> str:
    """OpenAI's base64 form: the vector as little-endian float32s."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def as_floats(vector: list[float]) -> list[float]:
    return vector  # as parsed: a copy of a few hundred thousand floats costs milliseconds


async def createEmbedding(call: Call) -> Response:
    def sent(model: str) -> list[str]:
        return texts_of(call.body["input"], model, "input")

    info = await model_for_prompt(call, call.body["model"], sent, kind="embeddings", param="input")
    body = {**call.body, "model": info.id}
    call.record.translated = False
    texts = texts_of(body["input"], body["model"], "input")
    upstream_body = {"model": body["model"], "input": texts, "encoding_format": "float"}
    for passed in ("dimensions", "user"):
        if body.get(passed) is not None:
            upstream_body[passed] = body[passed]
    answer = await call.upstream.call(EMBEDDINGS, upstream_body, call.record, call.client_headers)

    data = sorted(
        (item for item in answer.get("data") or [] if isinstance(item, dict)),
        key=lambda item: item.get("index", 0),
    )
    if len(data) != len(texts) or not all(isinstance(item.get("embedding"), list) for item in data):
        raise UpstreamFailed("The upstream returned embeddings that do not match the input.")
    encode = as_base64 if body.get("encoding_format") == "base64" else as_floats
    counted = usage.reported_or_counted(answer.get("usage"), body["model"], inputs=texts)
    call.record.add_usage(counted)
    result = {
        "object": "list",
        "data": [
            {"object": "embedding", "index": index, "embedding": encode(item["embedding"])}
            for index, item in enumerate(data)
        ],
        "model": answer.get("model") or body["model"],
        "usage": {
            "prompt_tokens": counted.get("prompt_tokens", 0),
            "total_tokens": counted.get("total_tokens", 0),
        },
    }
    return call.answer("CreateEmbeddingResponse", result)
