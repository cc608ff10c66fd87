"""Ids and timestamps for the objects the gateway makes (completions, responses, messages):
pure helpers, so a translator can name what it builds without knowing of any request."""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    """A fresh id in OpenAI's style: the object's prefix (`chatcmpl-`, `resp_`...), then 28
    random hex digits."""
    return prefix + secrets.token_hex(14)


def now() -> int:
    """The Unix time in whole seconds, as the APIs' `created` fields carry it."""
    return int(time.time())
