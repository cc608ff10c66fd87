"""Which kind of client sent a request, from its `user-agent`: a short family name for the
ledger and reports (never the header itself, which may carry anything).

Agents are matched before the SDKs they are built on: Claude Code sends `claude-cli/…`
with the Anthropic SDK inside, opencode names the AI SDK after itself.
"""

from __future__ import annotations

import re

# (family, pattern), first match wins; patterns are matched case-insensitively.
FAMILIES: tuple[tuple[str, str], ...] = (
    ("claude-code", r"\bclaude-(?:cli|code)/"),
    ("codex", r"\bcodex[_-]"),
    ("opencode", r"\bopencode/"),
    ("gemini-cli", r"\bgemini-?cli/"),
    ("openai-python", r"\bopenai/python\b"),
    ("openai-node", r"\bopenai/(?:js|node)\b"),
    ("anthropic-python", r"\banthropic/python\b"),
    ("anthropic-node", r"\banthropic/(?:js|node)\b"),
    ("google-genai", r"\bgoogle-genai-sdk/"),
    ("ai-sdk", r"\bai-sdk/"),
    ("langchain", r"\blangchain"),
    ("curl", r"^curl/"),
    ("httpx", r"^python-httpx/"),
    ("aiohttp", r"\baiohttp/"),
    ("requests", r"^python-requests/"),
)
_MATCHERS = tuple((family, re.compile(pattern, re.IGNORECASE)) for family, pattern in FAMILIES)
# Only the head of a long header is read: a client's hundred kilobytes cost nothing here.
READ_CHARS = 256


def client_family(user_agent: str | None) -> str:
    """The family of the client that sent `user_agent`; `other` for one not known, `none`
    for a request without the header."""
    if not user_agent:
        return "none"
    head = user_agent[:READ_CHARS]
    for family, matcher in _MATCHERS:
        if matcher.search(head):
            return family
    return "other"
