"""The emulated model's text answer, following a small set of format cues.

Cues are read from the last user message, then the system messages. In order:
1. Field markers (dspy's chat format): when the last user message asks to "Respond with"
   fields named `[[ ## name ## ]]`, the answer is each such marker followed by a value, then
   `[[ ## completed ## ]]`. A value follows the note the system prompt gives its field:
   a JSON Schema -> an instance of it (as JSON); "one of: a; b" -> the option whose words best
   match the last user message's input fields (what precedes "Respond with"), skipping
   options already given there as a field's value (the first one left when none match);
   int/float/bool -> 1, 1.0, True; otherwise "Emulated <field>.". A free-form object
   following an option the prompt describes with "It takes arguments {...}" (dspy's ReAct)
   gets an instance of those arguments.
2. `Reply with "X"` / `Respond with X` / `Answer with X` / `Say "X"` (quoted, or one word):
   exactly X.
3. "in one word" / "one word": `Emulated`.
4. After a tool result: the echo below, then `The tool said: <the result>`.
5. Otherwise the echo: `Hello from the <model> emulator. You said: <first 40 words>`.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import orjson

from .content import text_of
from .instances import TooLarge, Unsatisfiable, instance_of
from .tools import last_user_text, words

ECHOED_WORDS = 40
MARKER = re.compile(r"\[\[ ## (\w+) ## \]\]")
NOTE = re.compile(r"\{(\w+)\}\s+# note: the value you produce (.*)$", re.M)
REPLY_WITH = re.compile(
    r"\b(?:reply|respond|answer)(?: only)? with(?: exactly| just| only)?:?\s+"
    r"(?:[\"'`](?P<quoted>[^\"'`\n]{1,200})[\"'`]|(?P<word>[\w-]+)(?=[.!]?\s*$|[.!]\s))"
    r"|\bsay\s+[\"'`](?P<said>[^\"'`\n]{1,200})[\"'`]",
    re.I | re.M,
)
ONE_WORD = re.compile(r"\b(?:in|with|using) (?:a single|one|1) word\b|\bone[- ]word answer\b", re.I)


def cue_texts(messages: list[dict]) -> list[str]:
    system = [
        text_of(m.get("content"))
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("system", "developer")
    ]
    return [last_user_text(messages), *system]


def text_answer(model: str, messages: list[dict], index: int) -> str:
    """What the emulated model says (see the module's cues)."""
    prefix = f"[{index}] " if index else ""
    user = last_user_text(messages)
    system = "\n".join(cue_texts(messages)[1:])
    fields = requested_fields(user)
    if fields:
        inputs = user[: user.rfind("Respond with")]  # the request itself names every option
        return prefix + filled_fields(fields, inputs, system)
    for text in cue_texts(messages):
        match = REPLY_WITH.search(text)
        if match and not MARKER.search(match.group(0)):
            return prefix + (match.group("quoted") or match.group("word") or match.group("said"))
        if ONE_WORD.search(text):
            return prefix + "Emulated"
    said = " ".join(user.split()[:ECHOED_WORDS]) or "nothing"
    answer = f"{prefix}Hello from the {model} emulator. You said: {said}"
    result = tool_result(messages)
    if result is not None:
        answer += " The tool said: " + " ".join(result.split()[:ECHOED_WORDS])
    return answer


def tool_result(messages: list[dict]) -> str | None:
    last = messages[-1] if messages else None
    if isinstance(last, dict) and last.get("role") in ("tool", "function"):
        return text_of(last.get("content"))
    return None


def requested_fields(user: str) -> list[str]:
    """The output fields a "Respond with ... `[[ ## f ## ]]`" request names, in order."""
    at = user.rfind("Respond with")
    if at == -1:
        return []
    return [name for name in MARKER.findall(user[at:]) if name != "completed"]


def filled_fields(fields: list[str], user: str, system: str) -> str:
    notes = dict(NOTE.findall(system))
    parts, chosen = [], None
    for field in fields:
        value, option = field_value(field, notes.get(field, ""), user, system, chosen)
        chosen = option or chosen
        parts.append(f"[[ ## {field} ## ]]\n{value}")
    parts.append("[[ ## completed ## ]]")
    return "\n\n".join(parts)


def field_value(
    field: str, note: str, user: str, system: str, chosen: str | None
) -> tuple[str, str | None]:
    """A field's value as text, and the option it picked when it is a choice."""
    if "one of:" in note:
        options = [o.strip() for o in note.split("one of:", 1)[1].split(";") if o.strip()]
        option = pick_option(options, user)
        return option, option
    if "JSON schema:" in note:
        schema = parse_json(note.split("JSON schema:", 1)[1])
        if is_free_object(schema) and chosen:
            schema = arguments_schema(system, chosen) or schema
        return orjson.dumps(safe_instance(schema, field)).decode(), None
    for kind, value in (("int", "1"), ("float", "1.0"), ("bool", "True")):
        if f"single {kind} value" in note:
            return value, None
    return f"Emulated {field}.", None


def pick_option(options: list[str], user: str) -> str:
    given = {line.strip() for line in user.splitlines()}
    fresh = [o for o in options if o not in given] or options
    user_words = words(user)
    best = max(fresh, key=lambda o: len(words(o) & user_words))
    return best if words(best) & user_words else fresh[0]


def arguments_schema(system: str, option: str) -> dict | None:
    """dspy's ReAct describes each tool: "(1) name, whose ... It takes arguments {...}."."""
    match = re.search(
        rf"\b{re.escape(option)}, whose description is .*? It takes arguments (\{{.*?\}})\.\s*$",
        system,
        re.M | re.S,
    )
    if not match:
        return None
    try:
        properties = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(properties, dict):
        return None
    return {"type": "object", "properties": properties, "required": list(properties)}


def parse_json(text: str) -> Any:
    try:
        return json.JSONDecoder().raw_decode(text.strip())[0]
    except (ValueError, RecursionError):
        return True


def is_free_object(schema: Any) -> bool:
    return (
        isinstance(schema, dict) and schema.get("type") == "object" and not schema.get("properties")
    )


def safe_instance(schema: Any, field: str) -> Any:
    """An instance of a schema written in the prompt; a prompt's text never fails a call."""
    try:
        return instance_of(schema, field)
    except (TooLarge, Unsatisfiable):
        return {}
