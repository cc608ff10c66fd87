"""Legacy completions over chat: Copilot has no general /completions endpoint.

A prompt becomes one user message; each chat choice becomes a `text_completion` choice.
With several prompts, prompt p's choice c has index p * n + c, as OpenAI numbers them.
"""

from __future__ import annotations

from ...upstreams.base import Json
from .inputs import texts_of

DEFAULT_MAX_TOKENS = 16  # the legacy API's documented default
PASSED_TO_CHAT = (
    "model",
    "n",
    "stop",
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "seed",
    "user",
)


def prompts(body: Json) -> list[str]:
    """The prompt in every accepted form (text, texts, token ids, lists of them) as texts."""
    return texts_of(body.get("prompt") or "", body["model"], "prompt")


def chat_request(body: Json, prompt: str) -> Json:
    chat: Json = {key: body[key] for key in PASSED_TO_CHAT if body.get(key) is not None}
    chat["messages"] = [{"role": "user", "content": prompt}]
    max_tokens = body.get("max_tokens")
    chat["max_tokens"] = DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens
    return chat


def finish_reason(chat_reason: str | None) -> str | None:
    """Legacy completions know only stop, length and content_filter."""
    if chat_reason is None or chat_reason in ("length", "content_filter"):
        return chat_reason
    return "stop"


def text_choice(index: int, text: str, reason: str | None) -> Json:
    return {"text": text, "index": index, "logprobs": None, "finish_reason": reason}
