"""schemathesis hooks for the Anthropic surface (loaded through SCHEMATHESIS_HOOKS).

Two rules no schema can state leave bodies out of the fuzzing (the gateway refuses them with
a 400; tests/surfaces/anthropic/test_errors.py checks both): only the final message, the
assistant's prefill, may be empty (Anthropic's rule); and a request for a model served by
translation to chat must leave something to send (only empty system messages, or thinking
only, leave none).
"""

from __future__ import annotations

from typing import Any

import schemathesis

from copilot_gateway.emulator import catalog
from copilot_gateway.errors import InvalidRequest
from copilot_gateway.surfaces.anthropic.checks import require_content
from copilot_gateway.surfaces.anthropic.translate import chat_messages


def translated(model: object) -> bool:
    entry = catalog.BY_ID.get(str(model)) or {}
    return "/v1/messages" not in (entry.get("supported_endpoints") or [])


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return True  # not a valid body: the gateway refuses it, which the checks expect
    try:
        require_content(body)
        return not translated(body.get("model")) or bool(chat_messages(body, counting=True))
    except InvalidRequest:
        return False
    except (TypeError, ValueError, AttributeError):
        return True  # a body the gateway's validation refuses first (e.g. a 65-bit integer)
