"""A `generateContent` request as a Chat Completions request: the conversation (see
`contents`), `functionDeclarations` as function tools, `toolConfig`'s mode as a tool choice,
and `generationConfig`'s settings as chat's.

Refused by name: tools other than function declarations (`googleSearch`, `codeExecution`,
...), cached contents, answers in other modalities (images, audio, speech). Left out, as
the README says: `safetySettings` and `topK` (chat has neither).
"""

from __future__ import annotations

from typing import Any

from ...errors import InvalidRequest
from ...upstreams.base import Json
from ..chat_tools import function_tool, named_tool_choice
from .contents import chat_messages, refused
from .schemas import json_schema

# generationConfig settings chat has under another name.
SAME_SETTINGS = {
    "maxOutputTokens": "max_tokens",
    "temperature": "temperature",
    "topP": "top_p",
    "presencePenalty": "presence_penalty",
    "frequencyPenalty": "frequency_penalty",
    "seed": "seed",
}
# Settings of another kind of answer than text, which chat cannot give.
UNSENDABLE_SETTINGS = (
    "speechConfig",
    "imageConfig",
    "mediaResolution",
    "audioTranscriptionConfig",
    "translationConfig",
)
EFFORT_BY_LEVEL = {
    "MINIMAL": "low",
    "LOW": "low",
    "MEDIUM": "medium",
    "HIGH": "high",
    "XHIGH": "xhigh",
}
# thinkingBudget's tokens, to an effort (0 and -1, none and dynamic, leave it to the model).
EFFORT_BY_BUDGET = ((2048, "low"), (8192, "medium"))
MOST_CANDIDATES = 8  # Google's bound on candidateCount
TOOL_CHOICE_BY_MODE = {"AUTO": "auto", "VALIDATED": "auto", "ANY": "required", "NONE": "none"}


def config_of(body: Json) -> Json:
    config = body.get("generationConfig")
    return config if isinstance(config, dict) else {}


def reasoning_effort(config: Json) -> str | None:
    thinking = config.get("thinkingConfig")
    if not isinstance(thinking, dict):
        return None
    level = thinking.get("thinkingLevel")
    if level in EFFORT_BY_LEVEL:
        return EFFORT_BY_LEVEL[level]
    budget = thinking.get("thinkingBudget")
    if not isinstance(budget, int) or budget <= 0:
        return None
    return next((effort for limit, effort in EFFORT_BY_BUDGET if budget <= limit), "high")


def wants_thoughts(body: Json) -> bool:
    thinking = config_of(body).get("thinkingConfig")
    return isinstance(thinking, dict) and thinking.get("includeThoughts") is True


def response_format(config: Json) -> Json | None:
    schema = config.get("responseJsonSchema")
    if schema is None and config.get("responseSchema") is not None:
        schema = json_schema(config["responseSchema"], "generationConfig.responseSchema")
    if schema is not None:
        return {"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}
    mime = config.get("responseMimeType")
    if mime == "application/json":
        return {"type": "json_object"}
    if mime not in (None, "text/plain"):
        param = "generationConfig.responseMimeType"
        raise refused(f"'{mime}' answers cannot be given by this model", param)
    return None


def refuse_other_modalities(config: Json) -> None:
    for n, modality in enumerate(config.get("responseModalities") or []):
        if modality not in ("TEXT", "MODALITY_UNSPECIFIED"):
            param = f"generationConfig.responseModalities[{n}]"
            raise refused(f"'{modality}' answers cannot be given by this model", param)
    for name in UNSENDABLE_SETTINGS:
        if config.get(name) is not None:
            raise refused("this model answers in text only", f"generationConfig.{name}")


def settings(config: Json) -> Json:
    refuse_other_modalities(config)
    out: Json = {
        chat: config[name] for name, chat in SAME_SETTINGS.items() if config.get(name) is not None
    }
    if config.get("stopSequences"):
        out["stop"] = list(config["stopSequences"])
    count = config.get("candidateCount")
    if isinstance(count, int) and not 0 <= count <= MOST_CANDIDATES:
        # Each candidate is a whole answer, billed: as Google does, a few at most.
        message = f"between 1 and {MOST_CANDIDATES} candidates can be asked for, not {count}"
        raise refused(message, "generationConfig.candidateCount")
    if isinstance(count, int) and count > 1:
        out["n"] = count
    if config.get("responseLogprobs"):
        out["logprobs"] = True
        if isinstance(config.get("logprobs"), int):
            out["top_logprobs"] = config["logprobs"]
    if (effort := reasoning_effort(config)) is not None:
        out["reasoning_effort"] = effort
    if (form := response_format(config)) is not None:
        out["response_format"] = form
    return out


def declaration_as_tool(declaration: Json, param: str) -> Json:
    parameters = declaration.get("parametersJsonSchema")
    if parameters is None and declaration.get("parameters") is not None:
        parameters = json_schema(declaration["parameters"], f"{param}.parameters")
    if not isinstance(parameters, dict) or not parameters:
        parameters = {"type": "object", "properties": {}}  # chat wants an object schema
    return function_tool(
        str(declaration.get("name") or ""), parameters, declaration.get("description") or None
    )


def chat_tools(body: Json) -> list[Json]:
    tools: list[Json] = []
    for n, tool in enumerate(body.get("tools") or []):
        for name in tool:
            if name != "functionDeclarations":
                raise refused(
                    "only function declarations can be sent to this model", f"tools[{n}].{name}"
                )
        for k, declaration in enumerate(tool.get("functionDeclarations") or []):
            tools.append(declaration_as_tool(declaration, f"tools[{n}].functionDeclarations[{k}]"))
    return tools


def tool_choice(body: Json, tools: list[Json]) -> Any:
    config = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    mode = config.get("mode")
    allowed = config.get("allowedFunctionNames") or []
    if mode is None or mode == "MODE_UNSPECIFIED":
        return None
    if mode == "ANY" and len(allowed) == 1:
        if not any(tool["function"]["name"] == allowed[0] for tool in tools):
            raise refused(
                f"'{allowed[0]}' is not a declared function",
                "toolConfig.functionCallingConfig.allowedFunctionNames[0]",
            )
        return named_tool_choice(allowed[0])
    return TOOL_CHOICE_BY_MODE.get(mode)


def chat_request(body: Json, model: str, *, stream: bool) -> Json:
    """The request as chat's; 400 naming what cannot be sent."""
    if body.get("cachedContent"):
        raise InvalidRequest(
            "cachedContent: cached contents are not served.", param="cachedContent"
        )
    out: Json = {"model": model, "messages": chat_messages(body), **settings(config_of(body))}
    tools = chat_tools(body)
    if tools:
        out["tools"] = tools
        if (choice := tool_choice(body, tools)) is not None:
            out["tool_choice"] = choice
    if stream:
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out
