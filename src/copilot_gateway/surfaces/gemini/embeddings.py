"""POST /v1beta/models/{model}:embedContent and :batchEmbedContents: the texts of each
content, embedded by the upstream's embeddings endpoint in one call."""

from __future__ import annotations

from starlette.responses import Response

from ... import usage
from ...access.models import model_for_prompt
from ...call import Call
from ...errors import UpstreamFailed
from ...upstreams.base import Json
from ..openai.endpoints import EMBEDDINGS
from .contents import parts_of, refused


def text_of(request: Json, where: str) -> str:
    """A content's text: its text parts, joined (an embedding takes text only); `where`
    prefixes the field names in a refusal."""
    texts = []
    for k, part in enumerate(parts_of(request.get("content"))):
        if not isinstance(part.get("text"), str):
            raise refused("only text can be embedded", f"{where}content.parts[{k}]")
        texts.append(part["text"])
    if not texts:
        raise refused("there is no text to embed", f"{where}content")
    return "\n".join(texts)


async def embedded(call: Call, model: str, requests: list[Json], param: str) -> list[Json]:
    """The embeddings of each request's content; `param` names the list ("" for one)."""
    if not requests:
        raise refused("there is nothing to embed", param)
    where = [f"{param}[{n}]." if param else "" for n in range(len(requests))]
    texts = [text_of(request, prefix) for request, prefix in zip(requests, where, strict=True)]
    name = model.removeprefix("models/")
    info = await model_for_prompt(
        call, name, lambda _: texts, kind="embeddings", param=param or "content"
    )
    call.record.translated = True
    body: Json = {"model": info.id, "input": texts, "encoding_format": "float"}
    dimensions = {request.get("outputDimensionality") for request in requests} - {None}
    if len(dimensions) == 1:
        body["dimensions"] = dimensions.pop()
    answer = await call.upstream.call(EMBEDDINGS, body, call.record, call.client_headers)
    data = sorted(
        (item for item in answer.get("data") or [] if isinstance(item, dict)),
        key=lambda item: item.get("index", 0),
    )
    if len(data) != len(texts) or not all(isinstance(item.get("embedding"), list) for item in data):
        raise UpstreamFailed("The upstream returned embeddings that do not match the input.")
    call.record.add_usage(usage.reported_or_counted(answer.get("usage"), info.id, inputs=texts))
    return [{"values": item["embedding"]} for item in data]


async def embedContent(call: Call, model: str) -> Response:
    [embedding] = await embedded(call, model, [call.body], "")
    return call.answer("EmbedContentResponse", {"embedding": embedding})


async def batchEmbedContents(call: Call, model: str) -> Response:
    embeddings = await embedded(call, model, call.body["requests"], "requests")
    return call.answer("BatchEmbedContentsResponse", {"embeddings": embeddings})
