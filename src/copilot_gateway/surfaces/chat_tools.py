"""Chat Completions' shapes for tools, which every translation to or from chat builds: a
tool call, a function tool, a tool choice naming one function."""

from __future__ import annotations

from typing import Any

from ..upstreams.base import Json


def tool_call(call_id: str, name: str, arguments: str) -> Json:
    """A call of a function tool, as an assistant message lists it."""
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def function_tool(
    name: str, parameters: Any = None, description: Any = None, strict: Any = None
) -> Json:
    """A function tool, with only the settings given (None is not given)."""
    function: Json = {"name": name}
    settings = {"description": description, "parameters": parameters, "strict": strict}
    function.update((key, value) for key, value in settings.items() if value is not None)
    return {"type": "function", "function": function}


def named_tool_choice(name: Any) -> Json:
    """A tool choice that makes the model call this function."""
    return {"type": "function", "function": {"name": name}}
