"""JSON mode (`response_format: json_object`): always an object, shaped by the prompt.

The prompt is the last user message, then the system (and developer) messages. In order:
1. A JSON Schema written in the prompt (an object with `properties`, `$defs` or
   `"type": "object"`, as instructor's JSON mode sends): an instance of that schema.
2. A JSON object written in the prompt (an example): that object.
3. Keys named in the prompt ("with keys name and age", "keys: a, b", "fields `x`, `y`"):
   an object with those keys, each holding the string "emulated".
4. Otherwise `{"reply": <the emulator's text answer>}`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .content import text_of
from .instances import TooLarge, Unsatisfiable, instance_of

# How much of a prompt is searched for JSON objects: each try may read to the text's end.
MAX_SCANNED = 100_000
MAX_ATTEMPTS = 64
KEYS_CUE = re.compile(r"\b(?:keys|fields|properties|attributes)\b\s*(?::|named|called)?\s*", re.I)
IDENTIFIER = re.compile(r"[\"'`]?([A-Za-z_][\w-]*)[\"'`]?")
SCHEMA_MARKS = ("properties", "$defs", "definitions")


def prompt_texts(messages: list[dict]) -> list[str]:
    """The last user message, then the system and developer messages."""
    texts = []
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            texts.append(text_of(message.get("content")))
            break
    texts += [
        text_of(m.get("content"))
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("system", "developer")
    ]
    return texts


def json_objects(text: str) -> list[dict]:
    """The JSON objects written in text, outermost first."""
    decoder = json.JSONDecoder()
    found, at = [], 0
    text = text[:MAX_SCANNED]
    attempts = 0
    while (at := text.find("{", at)) != -1 and attempts < MAX_ATTEMPTS:
        attempts += 1
        try:
            value, end = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):
            at += 1
            continue
        if isinstance(value, dict):
            found.append(value)
            at = end
        else:
            at += 1
    return found


def is_schema(value: dict) -> bool:
    return any(mark in value for mark in SCHEMA_MARKS) or value.get("type") == "object"


def named_keys(text: str) -> list[str]:
    """Keys a sentence names after "keys"/"fields": `with keys name and age` -> name, age."""
    for cue in KEYS_CUE.finditer(text):
        sentence = re.split(r"[.;\n!?](?:\s|$)", text[cue.end() :], maxsplit=1)[0]
        keys = []
        for part in re.split(r",|\band\b|\bor\b|&", sentence):
            part = part.strip()
            match = IDENTIFIER.fullmatch(part)
            if not match:
                break
            keys.append(match.group(1))
        if keys:
            return list(dict.fromkeys(keys))
    return []


def json_answer(messages: list[dict], text_reply: str, seed: str) -> Any:
    """The object JSON mode answers for these messages (see the module's rules)."""
    texts = prompt_texts(messages)
    objects = [obj for text in texts for obj in json_objects(text)]
    for obj in objects:
        if is_schema(obj):
            try:
                answer = instance_of(obj, seed)
            except (TooLarge, Unsatisfiable):
                continue  # only a prompt's text: the next rule answers instead
            if isinstance(answer, dict):
                return answer
    if objects:
        return objects[0]
    for text in texts:
        keys = named_keys(text)
        if keys:
            return dict.fromkeys(keys, "emulated")
    return {"reply": text_reply}
