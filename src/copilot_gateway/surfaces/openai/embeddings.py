"""POST /v1/embeddings.

An answer holds hundreds of thousands of floats (256 vectors of 1,536), and parsing them into
Python and writing them out again cost about 40 ms. So the upstream's vectors are passed on
as the bytes it wrote (`PASSED_ON`): its answer is read with each vector kept as bytes, whose
JSON syntax the reader checks, and each must be an array of numbers only (the spec's type for
it, `json_numbers.is_number_array`). The rest of the answer is checked against the spec as
before, each vector standing there as an empty array. Answers of another shape are read in
full and judged as before.
"""

from __future__ import annotations

import base64
import dataclasses
import struct
from typing import Any

import msgspec
import orjson
from starlette.responses import Response

from ... import usage
from ...access.models import model_for_prompt
from ...call import Call
from ...errors import UpstreamFailed
from ...json_numbers import is_number_array
from ...upstreams.base import Json
from .endpoints import EMBEDDINGS
from .inputs import texts_of


class _Vector(msgspec.Struct):
    embedding: msgspec.Raw
    index: Any = msgspec.UNSET
    object: Any = msgspec.UNSET


class _Answer(msgspec.Struct):
    """What the handler reads of an upstream's answer (its bill too: `upstreams.credits`)."""

    data: list[_Vector]
    model: Any = msgspec.UNSET
    usage: Any = msgspec.UNSET
    copilot_usage: Any = msgspec.UNSET


_ANSWERS = msgspec.json.Decoder(_Answer)


def _fields(struct_: msgspec.Struct) -> Json:
    return {
        name: value
        for name in struct_.__struct_fields__
        if (value := getattr(struct_, name)) is not msgspec.UNSET
    }


def vectors_as_bytes(raw: bytes) -> Json | None:
    """An embeddings answer with each vector as the bytes the upstream wrote (their syntax
    checked); another shape read in full; None for what is not JSON."""
    try:
        answer = _ANSWERS.decode(raw)
    except msgspec.ValidationError:
        try:
            whole = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        return whole if isinstance(whole, dict) else None
    except msgspec.DecodeError:
        return None
    data = [{**_fields(item), "embedding": bytes(item.embedding)} for item in answer.data]
    return {**_fields(answer), "data": data}


PASSED_ON = dataclasses.replace(EMBEDDINGS, read_answer=vectors_as_bytes)


def is_vector(embedding: object) -> bool:
    if isinstance(embedding, bytes):
        return is_number_array(embedding)
    return isinstance(embedding, list)


def floats(embedding: bytes | list[float]) -> list[float]:
    return orjson.loads(embedding) if isinstance(embedding, bytes) else embedding


def as_base64(embedding: bytes | list[float]) -> str:
    """OpenAI's base64 form: the vector as little-endian float32s."""
    vector = floats(embedding)
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def as_floats(embedding: bytes | list[float]) -> orjson.Fragment | list[float]:
    """The vector as the upstream wrote it (a fragment orjson writes out verbatim)."""
    return orjson.Fragment(embedding) if isinstance(embedding, bytes) else embedding


def stand_in(embedding: Any) -> Any:
    """What the spec checks in place of a vector passed on verbatim (its check is its own)."""
    return [] if isinstance(embedding, orjson.Fragment) else embedding


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
    answer = await call.upstream.call(PASSED_ON, upstream_body, call.record, call.client_headers)

    data = sorted(
        (item for item in answer.get("data") or [] if isinstance(item, dict)),
        key=lambda item: item.get("index", 0),
    )
    if len(data) != len(texts) or not all(is_vector(item.get("embedding")) for item in data):
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
    checked = {
        **result,
        "data": [{**item, "embedding": stand_in(item["embedding"])} for item in result["data"]],
    }
    return call.answer_standing_in("CreateEmbeddingResponse", result, checked)
