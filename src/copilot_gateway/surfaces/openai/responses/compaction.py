"""Compaction, served by the gateway (Copilot has none of its own): the model summarises the
conversation on its own route, and the summary travels as a `compaction` item.

The item's `encrypted_content` is the gateway's own: the summary, encoded, behind a prefix
that says so. It is opaque to clients (as OpenAI's is), not secret: it holds only what the
client sent. A later request that carries the item gets it back as a message the model
reads; one the gateway did not make is refused by name.
"""

from __future__ import annotations

import base64
import binascii

from ....errors import InvalidRequest
from ....ids import new_id
from ....upstreams.base import Json

CONTENT_PREFIX = "copilot-gateway.compaction.v1:"
SUMMARY_REQUEST = (
    "Compact the conversation so far into a handoff summary for yourself: the task and its "
    "goal, what has been done and decided, the state of files and commands, open questions, "
    "and the next steps. Write only the summary."
)
SUMMARY_HEADING = "A summary of the earlier conversation, which was compacted:"


def summary_request() -> Json:
    """The turn that asks the model for the summary."""
    return {"type": "message", "role": "user", "content": SUMMARY_REQUEST}


def compaction_item(summary: str) -> Json:
    encoded = base64.b64encode(summary.encode()).decode()
    return {
        "id": new_id("cmp_"),
        "type": "compaction",
        "encrypted_content": CONTENT_PREFIX + encoded,
    }


def summary_in(item: Json, param: str) -> str:
    content = item.get("encrypted_content")
    if not isinstance(content, str) or not content.startswith(CONTENT_PREFIX):
        raise InvalidRequest(
            "This compaction item was not made by this gateway: compact the conversation "
            "here (POST /v1/responses/compact) or send it uncompacted.",
            param=f"{param}.encrypted_content",
            code="invalid_encrypted_content",
        )
    try:
        return base64.b64decode(content.removeprefix(CONTENT_PREFIX), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidRequest(
            "The compaction item's content is damaged.",
            param=f"{param}.encrypted_content",
            code="invalid_encrypted_content",
        ) from None


def expanded(items: list[Json], param: str = "input") -> list[Json]:
    """Input items as a model reads them: each compaction item as the summary it holds."""
    out = []
    for index, item in enumerate(items):
        if item.get("type") == "compaction":
            text = f"{SUMMARY_HEADING}\n\n{summary_in(item, f'{param}[{index}]')}"
            item = {"type": "message", "role": "user", "content": text}
        out.append(item)
    return out


def is_trigger(item: Json) -> bool:
    return item.get("type") == "compaction_trigger"


def kept_through_compaction(items: list[Json]) -> list[Json]:
    """What stays beside the summary: the user's own messages, as they were."""
    return [item for item in items if item.get("type") == "message" and item.get("role") == "user"]
