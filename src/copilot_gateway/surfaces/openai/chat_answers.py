"""An upstream's chat answer as OpenAI's chat completion: its choices normalised (see
`surfaces.choices`), our id, the fields OpenAI always sends, its usage. Chat's handler
answers with it, and the Responses API's translation reads it."""

from __future__ import annotations

from ...ids import new_id, now
from ...upstreams.base import Json
from ..choices import answer_usage, merged_answer_choices
from .envelope import envelope


def completed(answer: Json, request: Json) -> Json:
    """An upstream answer as an OpenAI chat completion: our id, required fields, usage."""
    model = answer.get("model") or request["model"]
    single = (request.get("n") or 1) == 1
    choices = merged_answer_choices(answer.get("choices"), single)
    usage = answer_usage(answer, choices, request)
    fingerprint = answer.get("system_fingerprint")
    extra = {"system_fingerprint": fingerprint} if fingerprint else {}
    created = answer.get("created") or now()
    return envelope(
        "chat.completion", new_id("chatcmpl-"), created, model, choices, usage=usage, **extra
    )
