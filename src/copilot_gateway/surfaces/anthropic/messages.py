"""POST /v1/messages: served natively where the upstream's catalogue lists `/v1/messages`
for the model, else translated to Chat Completions."""

from __future__ import annotations

from starlette.responses import Response

from ...access.models import require_model
from ...call import Call
from ...upstreams.base import MESSAGES
from . import native, translated
from .checks import require_content


async def createMessage(call: Call) -> Response:
    require_content(call.body)
    info = await require_model(call, call.body["model"], "chat")
    body = {**call.body, "model": info.id}
    if MESSAGES in info.endpoints:
        return await (native.stream if body.get("stream") else native.answer)(call, body)
    return await (translated.stream if body.get("stream") else translated.answer)(call, body)
