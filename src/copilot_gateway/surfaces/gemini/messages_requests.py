"""A `generateContent` request, once translated to chat's (see `requests`), as the Messages
request Copilot's Claude models take natively on `/v1/messages`: the conversation (see
`messages`), the limit (Messages wants one), stop sequences, sampling, tools and the tool
choice, and `thinkingConfig` as Claude's thinking.

What Messages cannot carry (several candidates, log probabilities, penalties, a seed, a
structured answer) is named by its Gemini field (`unsendable`): the request goes over chat
instead where the model is served there too, and is refused by that name where it is not.
With thinking on, Claude takes no `temperature` or `topP`: they are not sent then."""

from __future__ import annotations

from typing import Any

from ...upstreams.base import Json
from .messages import messages_body

# What a request may leave out, as much as a Gemini model's default; and the least thinking
# budget Claude takes.
DEFAULT_MAX_TOKENS = 16384
LEAST_BUDGET = 1024
# Chat's fields that Messages has no room for, by the Gemini field that asked for them.
UNSENDABLE = {
    "n": "generationConfig.candidateCount",
    "logprobs": "generationConfig.responseLogprobs",
    "presence_penalty": "generationConfig.presencePenalty",
    "frequency_penalty": "generationConfig.frequencyPenalty",
    "seed": "generationConfig.seed",
}
STRUCTURED = ("responseJsonSchema", "responseSchema", "responseMimeType")
TOOL_CHOICE = {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}


def unsendable(chat: Json, config: Json) -> str | None:
    """The Gemini field of the first thing the request asks that Messages cannot do."""
    for name, field in UNSENDABLE.items():
        if chat.get(name) is not None:
            return field
    if chat.get("response_format") is not None:
        given = next(name for name in STRUCTURED if config.get(name) is not None)
        return f"generationConfig.{given}"
    return None


def thinking(config: Json) -> tuple[Json | None, int]:
    """`thinkingConfig` as Claude's thinking, and the tokens it may take: a budget as one
    (-1, dynamic, and a level as adaptive thinking), none for 0 or no config."""
    thinking_config = config.get("thinkingConfig")
    if not isinstance(thinking_config, dict):
        return None, 0
    budget = thinking_config.get("thinkingBudget")
    if thinking_config.get("thinkingLevel") not in (None, "THINKING_LEVEL_UNSPECIFIED"):
        return {"type": "adaptive"}, 0
    if budget == -1:
        return {"type": "adaptive"}, 0
    if isinstance(budget, int) and budget > 0:
        budget = max(budget, LEAST_BUDGET)
        return {"type": "enabled", "budget_tokens": budget}, budget
    return None, 0


def tool_choice(choice: Any) -> Json | None:
    if isinstance(choice, dict):
        return {"type": "tool", "name": (choice.get("function") or {}).get("name")}
    return TOOL_CHOICE.get(choice) if isinstance(choice, str) else None


def messages_request(chat: Json, config: Json) -> Json:
    """The chat request (its Gemini `generationConfig` beside it) as a Messages request."""
    body = messages_body(chat["model"], chat["messages"], chat.get("tools") or [])
    thought, budget = thinking(config)
    limit = chat.get("max_tokens")
    if thought is not None and thought["type"] == "enabled" and limit is not None:
        if limit <= LEAST_BUDGET:
            thought = None  # no room to think: the answer gets the whole limit
        else:
            thought["budget_tokens"] = min(budget, limit - 1)
    body["max_tokens"] = limit if limit is not None else DEFAULT_MAX_TOKENS + budget
    if thought is not None:
        body["thinking"] = thought
    else:
        body.update((name, chat[name]) for name in ("temperature", "top_p") if name in chat)
    if chat.get("stop"):
        body["stop_sequences"] = chat["stop"]
    if (choice := tool_choice(chat.get("tool_choice"))) is not None and body.get("tools"):
        body["tool_choice"] = choice
    if chat.get("stream"):
        body["stream"] = True
    return body
