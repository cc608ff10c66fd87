"""Ids derived from what was asked: the same request gets the same ids (the emulator is
deterministic), another request other ones."""

from __future__ import annotations

import hashlib

import orjson


def digest(value: object) -> str:
    """A hex digest of a JSON value (keys in the order given)."""
    return hashlib.sha256(orjson.dumps(value)).hexdigest()


def of(prefix: str, value: object, length: int) -> str:
    """`prefix` then `length` hex digits fixed by `value`, e.g. `chatcmpl-emu3f2a…`."""
    return prefix + digest(value)[:length]


def of_text(prefix: str, text: str, length: int) -> str:
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:length]
