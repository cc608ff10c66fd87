"""POST /v1/messages: served natively where the upstream's catalogue lists `/v1/messages`
for the model, else translated to Chat Completions."""

from __future__ import annotations

from starlette.responses import Response

from ...access.models import model_for_prompt
from ...call import Call
from . import native, translated
from .checks import require_content
from .endpoints import MESSAGES
from .translate import chat_messages


async def createMessage(call: Call) -> Response:
    require_content(call.body)
    # Counted as the chat translation would send it, whichever way it goes (see `count_tokens`).
    info = await model_for_prompt(
        call, call.body["model"], lambda _: [chat_messages(call.body, counting=True)]
    )
    body = {**call.body, "model": info.id}
    call.record.translated = MESSAGES.path not in info.endpoints
    if MESSAGES.path in info.endpoints:
        return await (native.stream if body.get("stream") else native.answer)(call, body)
    return await (translated.stream if body.get("stream") else translated.answer)(call, body)
