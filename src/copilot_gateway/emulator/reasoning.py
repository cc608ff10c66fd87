"""What a thinking model says it thought, on Copilot's chat API: `reasoning_text` (the
thought, readable) and `reasoning_opaque` (its signature, which a client sends back on the
assistant message of a later turn). Copilot sends them for the models that think where it
shows their thoughts (Anthropic's and Google's), when the request asks for reasoning
(`reasoning_effort`, or Claude's `thinking_budget`); OpenAI's models keep theirs hidden.

Deterministic like every answer: the thought names the last user text, the signature is
the thought's hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ids
from .tools import last_user_text

SHOWN_BY = ("Anthropic", "Google")


@dataclass(frozen=True)
class Thought:
    text: str
    signature: str


def thinks(model: dict[str, Any]) -> bool:
    supports = (model.get("capabilities") or {}).get("supports") or {}
    return bool(supports.get("reasoning_effort") or supports.get("thinking"))


def thought_for(model: dict[str, Any], body: dict[str, Any]) -> Thought | None:
    """The thought the answer shows, if the model shows one and the request asked."""
    asked = body.get("reasoning_effort") or body.get("thinking_budget")
    if not asked or model.get("vendor") not in SHOWN_BY or not thinks(model):
        return None
    text = "Thinking about: " + last_user_text(body.get("messages") or [])[:80]
    return Thought(text, ids.of_text("", text, 64))
