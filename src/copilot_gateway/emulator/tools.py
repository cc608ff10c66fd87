"""Which tool the emulated model calls, by one rule an agent loop can finish with.

- `tool_choice: "none"`, or no tools: no call. A named tool: that tool.
- After a person's turn (the last message is not a tool result): the tool whose name and
  description share the most words with the last user message (ties: the first offered).
  Under `auto` it is called only when at least one word matches; under `required`, when no
  word matches, the output tool (`final_result...`, as pydantic-ai names it) if one is offered,
  else the first tool.
- After a tool result: under `auto`, no call (the model answers in text); under `required`,
  the output tool if one is offered, else the best-matching tool not yet called since the
  last user message (the best match again once all were called: `required` must call).

The rule reads a chat request; Responses and Messages requests are read as one first (their
tools, tool choice, and their calls and results as chat's `tool_calls` and `tool` messages),
with the helpers at the end of this module.
"""

from __future__ import annotations

import re
from typing import Any

from .content import text_of

OUTPUT_TOOL_PREFIX = "final_result"
# Words too common to say which tool a prompt means.
STOPWORD_TEXT = (
    "the and for with from that this what which when where who how are was were is its "
    "you your our get set call use tool tools function returns return value values given "
    "into about will can may any all not"
)
STOPWORDS = frozenset(STOPWORD_TEXT.split())


def words(text: str) -> set[str]:
    """Lower-case words of 3+ letters, names split at `_`, `-` and camelCase, plurals cut."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    found = set()
    for word in re.findall(r"[A-Za-z]{3,}", spaced.replace("_", " ")):
        word = word.lower()
        if word not in STOPWORDS:
            found.add(word[:-1] if word.endswith("s") and len(word) > 3 else word)
    return found


def function_tools(body: dict) -> list[dict]:
    return [
        t
        for t in body.get("tools") or []
        if isinstance(t, dict)
        and t.get("type") == "function"
        and isinstance(t.get("function"), dict)
        and isinstance(t["function"].get("name"), str)
    ]


def name_of(tool: dict) -> str:
    return str(tool["function"]["name"])


def is_output_tool(tool: dict) -> bool:
    return name_of(tool).startswith(OUTPUT_TOOL_PREFIX)


def score(tool: dict, prompt_words: set[str]) -> int:
    function = tool["function"]
    description = function.get("description")
    said = name_of(tool) + " " + (description if isinstance(description, str) else "")
    return len(words(said) & prompt_words)


def last_user_text(messages: list[dict]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def called_since_last_user(messages: list[dict]) -> set[str]:
    names: set[str] = set()
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") == "user":
            break
        for call in message.get("tool_calls") or []:
            name = (call.get("function") or {}).get("name") if isinstance(call, dict) else None
            if isinstance(name, str):
                names.add(name)
    return names


def best_match(tools: list[dict], prompt_words: set[str]) -> tuple[dict | None, int]:
    best, best_score = None, 0
    for tool in tools:
        points = score(tool, prompt_words)
        if points > best_score:
            best, best_score = tool, points
    return best, best_score


def chosen_tool(body: dict) -> dict | None:
    """The tool the emulated model calls for this request, or None for a text answer."""
    tools = function_tools(body)
    choice: Any = body.get("tool_choice")
    if not tools or choice == "none":
        return None
    if isinstance(choice, dict):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, dict) else None
        return next((t for t in tools if name_of(t) == name), None)
    required = choice == "required"
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    prompt_words = words(last_user_text(messages))
    output = next((t for t in tools if is_output_tool(t)), None)
    workers = [t for t in tools if not is_output_tool(t)]
    after_tool_result = bool(messages) and messages[-1].get("role") in ("tool", "function")
    if after_tool_result:
        if not required:
            return None
        if output is not None:
            return output
        called = called_since_last_user(messages)
        fresh = [t for t in workers if name_of(t) not in called]
        return best_or_first(fresh, prompt_words) or best_or_first(workers, prompt_words)
    tool, points = best_match(workers, prompt_words)
    if points:
        return tool
    if not required:
        return None
    return output or tools[0]


def best_or_first(tools: list[dict], prompt_words: set[str]) -> dict | None:
    return best_match(tools, prompt_words)[0] or (tools[0] if tools else None)


# Other APIs' tools, read as chat's ---------------------------------------------------------


def chat_tool(name: Any, description: Any, parameters: Any) -> dict:
    """A function tool as chat declares it."""
    function = {"name": name, "parameters": parameters}
    if isinstance(description, str):
        function["description"] = description
    return {"type": "function", "function": function}


def named_choice(name: Any) -> dict:
    """Chat's `tool_choice` forcing one tool."""
    return {"type": "function", "function": {"name": name}}


def calling(call_id: Any, name: Any, arguments: str, text: str | None = None) -> dict:
    """An assistant turn that called a tool, as chat records it."""
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    return {"role": "assistant", "content": text, "tool_calls": [call]}


def result(call_id: Any, text: str) -> dict:
    """A tool's result, as chat sends it back."""
    return {"role": "tool", "tool_call_id": call_id, "content": text}
