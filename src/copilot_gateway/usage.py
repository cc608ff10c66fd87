"""Token usage in every shape the gateway speaks, and where it comes from.

Chat's usage (`prompt_tokens`, `completion_tokens`, `total_tokens`) is the gateway's own:
the request record, the limits and the ledger count in it, and every translation converts
from it or to it here, once. What an answer's usage is follows one rule: what the upstream
reported, else counted offline (`reported_or_counted`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeGuard

from . import tokens

Usage = dict[str, Any]


def chat_usage(prompt_tokens: int, completion_tokens: int) -> Usage:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def reported_or_counted(
    reported: object,
    model: str,
    *,
    messages: list[dict] | None = None,
    inputs: list[str] | None = None,
    generated: Iterable[str] = (),
) -> Usage:
    """The usage the upstream reported, else counted offline: the prompt from its chat
    `messages` (or plain `inputs`), the completion from the `generated` texts."""
    if isinstance(reported, dict):
        return reported
    if messages is not None:
        prompt = tokens.count_prompt(messages, model)
    else:
        prompt = tokens.count(inputs or [], model)
    return chat_usage(prompt, tokens.count(generated, model))


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: object) -> int:
    """A count as an upstream sent it; anything but a whole number counts as zero."""
    return value if _is_count(value) else 0


def responses_from_chat(usage: Usage) -> Usage:
    """Chat's usage as the Responses API counts it."""
    prompt = _int(usage.get("prompt_tokens"))
    completion = _int(usage.get("completion_tokens"))
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    return {
        "input_tokens": prompt,
        "input_tokens_details": {
            "cached_tokens": _int(prompt_details.get("cached_tokens")),
            "cache_write_tokens": 0,
        },
        "output_tokens": completion,
        "output_tokens_details": {
            "reasoning_tokens": _int(completion_details.get("reasoning_tokens"))
        },
        "total_tokens": _int(usage.get("total_tokens")) or prompt + completion,
    }


def chat_from_responses(usage: Usage) -> Usage:
    """The Responses API's usage as chat counts it."""
    prompt = _int(usage.get("input_tokens"))
    completion = _int(usage.get("output_tokens"))
    cached = _int((usage.get("input_tokens_details") or {}).get("cached_tokens"))
    reasoning = _int((usage.get("output_tokens_details") or {}).get("reasoning_tokens"))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": _int(usage.get("total_tokens")) or prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


def anthropic_from_chat(usage: Usage) -> Usage:
    """Chat's usage as an Anthropic message counts it."""
    return {
        "input_tokens": _int(usage.get("prompt_tokens")),
        "output_tokens": _int(usage.get("completion_tokens")),
    }


ANTHROPIC_INPUT = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")


def chat_from_anthropic(usage: object) -> Usage:
    """Anthropic's usage as chat counts it: its prompt includes cached reads and writes,
    which Anthropic counts apart. What it does not say is left out (a stream's first event
    says only the prompt, its last only the output)."""
    if not isinstance(usage, dict):
        return {}
    out: Usage = {"prompt_tokens": sum(_int(usage.get(name)) for name in ANTHROPIC_INPUT)}
    if any(name in usage for name in ANTHROPIC_INPUT[1:]):
        # Which of them were cached reads and writes, as the request record prices them
        # (`cache_write_tokens` is the record's own name: chat's usage has no such field).
        out["prompt_tokens_details"] = {
            "cached_tokens": _int(usage.get("cache_read_input_tokens")),
            "cache_write_tokens": _int(usage.get("cache_creation_input_tokens")),
        }
    if _is_count(output := usage.get("output_tokens")):
        out["completion_tokens"] = output
    return out
