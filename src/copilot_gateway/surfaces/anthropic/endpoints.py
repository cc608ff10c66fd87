"""The upstream endpoints the Anthropic surface sends to natively (its translations send to
`openai.endpoints.CHAT`), described for any upstream (see `upstreams.base.Endpoint`)."""

from __future__ import annotations

from typing import Any

from ...upstreams.base import Conversation, Endpoint, Json, strings_under

ANTHROPIC_VERSION = "2023-06-01"  # when a client sends none (the Messages API wants one)


def _blocks(content: Any) -> list[Json]:
    return (
        [block for block in content if isinstance(block, dict)] if isinstance(content, list) else []
    )


def holds_images(body: Json) -> bool:
    """Whether any message carries an image block (in a tool result too)."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return False
    for message in messages:
        for block in _blocks(message.get("content") if isinstance(message, dict) else None):
            inner = _blocks(block.get("content")) if block.get("type") == "tool_result" else []
            if any(b.get("type") == "image" for b in [block, *inner]):
                return True
    return False


def text_of(content: Any) -> str:
    """A message's (or the system prompt's) text: a string, or its text blocks, joined."""
    if isinstance(content, str):
        return content
    texts = [block.get("text") for block in _blocks(content) if block.get("type") == "text"]
    return "\n".join(text for text in texts if isinstance(text, str))


def conversation(body: Json) -> Conversation:
    """The system prompt (with the `role: "system"` turns Claude Code puts inside
    `messages`), the first user message and the last one, if the user role sent it."""
    messages = body.get("messages")
    messages = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    system = [text_of(body.get("system"))]
    system += [text_of(m.get("content")) for m in messages if m.get("role") == "system"]
    users = [m for m in messages if m.get("role") == "user"]
    last = messages[-1] if messages and messages[-1].get("role") == "user" else {}
    return Conversation(
        system="\n".join(text for text in system if text),
        first_user=text_of(users[0].get("content")) if users else "",
        last_user=text_of(last.get("content")),
    )


def is_user_turn(message: Any) -> bool:
    """A user message the user wrote: not one carrying tool results (that is the agent's,
    also when text rides beside them: Claude Code adds `<system-reminder>` blocks to its
    tool results, and a turn that does is still its own)."""
    if not isinstance(message, dict) or message.get("role") != "user":
        return False
    return not any(block.get("type") == "tool_result" for block in _blocks(message.get("content")))


def user_initiated(body: Json) -> bool:
    messages = body.get("messages")
    return isinstance(messages, list) and bool(messages) and is_user_turn(messages[-1])


def is_message_stop(event: Json) -> bool:
    """A Messages stream ends with this event (and no `[DONE]`)."""
    return event.get("type") == "message_stop"


def thinking_signatures(document: Json) -> list[str]:
    """Thinking only the account that produced it can verify (its `signature`)."""
    return list(strings_under(document, ("signature",)))


MESSAGES = Endpoint(
    "/v1/messages",
    forwarded=("anthropic-version", "anthropic-beta"),
    defaults=(("anthropic-version", ANTHROPIC_VERSION),),
    user_initiated=user_initiated,
    holds_images=holds_images,
    conversation=conversation,
    ends_stream=is_message_stop,
    continuation=thinking_signatures,
)

# Copilot serves it for the models its catalogue lists on `/v1/messages` (it lists no path of
# its own). Never the user's turn: a count is no request of theirs, and costs nothing. Its
# body is a Messages request's: thinking it carries goes back to the account that made it.
COUNT_TOKENS = Endpoint(
    "/v1/messages/count_tokens",
    forwarded=("anthropic-version", "anthropic-beta"),
    defaults=(("anthropic-version", ANTHROPIC_VERSION),),
    conversation=conversation,
    continuation=thinking_signatures,
)
