"""The upstream endpoints the OpenAI surface sends to, described for any upstream (see
`upstreams.base.Endpoint`): Chat Completions (where the other surfaces' translations send
too), Embeddings, and the Responses API."""

from __future__ import annotations

from typing import Any

from ...upstreams.base import Conversation, Endpoint, Json, strings_under

# The events a Responses stream ends with, whoever streams it (no `[DONE]` follows them).
RESPONSES_TERMINAL_EVENTS = frozenset(
    {"response.completed", "response.incomplete", "response.failed", "error"}
)


def _last(items: Any) -> Json:
    return items[-1] if isinstance(items, list) and items and isinstance(items[-1], dict) else {}


def _has_part(items: Any, part_type: str) -> bool:
    """Whether any message (or input item) has a content part of this type."""
    return isinstance(items, list) and any(
        isinstance(item, dict)
        and isinstance(item.get("content"), list)
        and any(
            isinstance(part, dict) and part.get("type") == part_type for part in item["content"]
        )
        for item in items
    )


def text_of(content: Any) -> str:
    """A message's (or input item's) text: a string, or its parts' `text`, joined."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = [part.get("text") for part in content if isinstance(part, dict)]
    return "\n".join(text for text in texts if isinstance(text, str))


INSTRUCTION_ROLES = frozenset({"system", "developer"})


def conversation_of(items: Any, instructions: Any = None) -> Conversation:
    """What a list of messages (or input items) says of its conversation."""
    items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    system = [instructions] if isinstance(instructions, str) and instructions else []
    system += [
        text_of(item.get("content")) for item in items if item.get("role") in INSTRUCTION_ROLES
    ]
    users = [item for item in items if item.get("role") == "user"]
    last = items[-1] if items and items[-1].get("role") == "user" else {}
    return Conversation(
        system="\n".join(system),
        first_user=text_of(users[0].get("content")) if users else "",
        last_user=text_of(last.get("content")),
    )


def chat_conversation(body: Json) -> Conversation:
    return conversation_of(body.get("messages"))


def responses_conversation(body: Json) -> Conversation:
    items = body.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    return conversation_of(items, body.get("instructions"))


def chat_user_initiated(body: Json) -> bool:
    """The user wrote the last message (not a tool result, not the assistant's own)."""
    return _last(body.get("messages")).get("role") == "user"


def chat_holds_images(body: Json) -> bool:
    return _has_part(body.get("messages"), "image_url")


def _without_copilot_hints(items: Any) -> Any:
    if not isinstance(items, list):
        return items
    return [
        {k: v for k, v in item.items() if not k.startswith("copilot_")}
        if isinstance(item, dict)
        else item
        for item in items
    ]


def plain_chat(body: Json) -> Json:
    """A chat request without the hints only Copilot reads, on its messages and tools (the
    Anthropic translation's `copilot_cache_control`)."""
    plain = {**body, "messages": _without_copilot_hints(body.get("messages"))}
    if "tools" in body:
        plain["tools"] = _without_copilot_hints(body["tools"])
    return plain


def responses_user_initiated(body: Json) -> bool:
    """The last input item is a message not the assistant's (a bare string input is the
    user's); an item with no role (`function_call_output`, `custom_tool_call_output`, ...)
    is the agent's going on."""
    items = body.get("input")
    if isinstance(items, str):
        return bool(items)
    role = _last(items).get("role")
    return isinstance(role, str) and role != "assistant"


def responses_holds_images(body: Json) -> bool:
    return _has_part(body.get("input"), "input_image")


def responses_ended(event: Json) -> bool:
    return event.get("type") in RESPONSES_TERMINAL_EVENTS


def encrypted_reasoning(document: Json) -> list[str]:
    """Reasoning only the account that produced it can read back (`encrypted_content`)."""
    return list(strings_under(document, ("encrypted_content",)))


CHAT = Endpoint(
    "/chat/completions",
    user_initiated=chat_user_initiated,
    holds_images=chat_holds_images,
    conversation=chat_conversation,
    plain=plain_chat,
)
EMBEDDINGS = Endpoint("/embeddings")
RESPONSES = Endpoint(
    "/responses",
    user_initiated=responses_user_initiated,
    holds_images=responses_holds_images,
    conversation=responses_conversation,
    ends_stream=responses_ended,
    continuation=encrypted_reasoning,
)
# Copilot counts a Claude model's input on the Messages API's own path (served for the models
# its catalogue lists on `/v1/messages`); the input tokens of a Responses request are asked
# there, as a Messages body.
MESSAGES_PATH = "/v1/messages"
MESSAGES_COUNT_TOKENS = Endpoint(
    "/v1/messages/count_tokens", defaults=(("anthropic-version", "2023-06-01"),)
)
