"""What each key may use: its limits as the config file's `[[keys]]` entries set them, and
how many tokens a request is expected to spend before its answer says.

    [[keys]]
    name = "ci-bot"
    sha256 = "..."
    rpm = 60                  # requests per minute
    tpm = 40000               # tokens per minute (prompt and completion)
    max_parallel = 4          # requests in flight
    tokens_per_day = 1000000  # reset at 00:00 UTC

Absent means unlimited.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PositiveFloat, PositiveInt

from .. import tokens

# What a stream is expected to generate when its request sets no maximum: reserved up front,
# settled to the real count at its end.
DEFAULT_COMPLETION_TOKENS = 1024


class KeyLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rpm: PositiveInt | None = None
    tpm: PositiveInt | None = None
    max_parallel: PositiveInt | None = None
    tokens_per_day: PositiveInt | None = None
    credits_per_day: PositiveFloat | None = None
    credits_per_month: PositiveFloat | None = None

    @property
    def limited(self) -> bool:
        return any(value is not None for value in self.limit_values())

    @property
    def counts_tokens(self) -> bool:
        return self.tpm is not None or self.tokens_per_day is not None

    def limit_values(self) -> tuple[int | None, ...]:
        return self.rpm, self.tpm, self.max_parallel, self.tokens_per_day


def expected_tokens(body: Any) -> int:
    """The tokens a request will spend at most, as far as its body tells: its prompt
    (chat `messages`, a legacy `prompt`, an `input`) and its completion maximum (or a default),
    for every choice asked."""
    if not isinstance(body, dict):
        return 0
    model = str(body.get("model") or "")
    prompt = 0
    messages = body.get("messages")
    if isinstance(messages, list) and all(isinstance(m, dict) for m in messages):
        prompt = tokens.count_prompt(messages, model)
    for name in ("prompt", "input"):
        value = body.get(name)
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        prompt += tokens.count([text for text in texts if isinstance(text, str)], model)
    maximum = next(
        (
            value
            for name in ("max_completion_tokens", "max_tokens", "max_output_tokens")
            if isinstance(value := body.get(name), int) and value > 0
        ),
        DEFAULT_COMPLETION_TOKENS,
    )
    n = body.get("n")
    choices = n if isinstance(n, int) and n > 0 else 1
    return prompt + maximum * choices
