"""A Gemini conversation (`systemInstruction`, `contents`) as Chat Completions messages.

Roles: `user` (and the older `function`) are the user's turns, `model` the assistant's.
Parts: text; images inline (`inlineData`) as data URLs; `functionCall` as the assistant's
tool calls and `functionResponse` as tool messages, matched by `id`, or, where a client
sent none (the API has them optional), by name in the order they were called. A model
turn's `thoughtSignature` goes back as chat's `reasoning_opaque`. Thoughts the model wrote
(`thought: true`) are not sent again: only their signature is needed. What chat cannot
carry (files by URI, code execution, other media) is refused by name.
"""

from __future__ import annotations

from typing import Any

import orjson

from ...errors import InvalidRequest
from ...upstreams.base import Json
from ..chat_tools import tool_call

# Parts no chat request can carry, with what to do instead.
UNSENDABLE_PARTS = {
    "fileData": "files by URI cannot be sent to this model: send the file inline (inlineData)",
    "executableCode": "code execution parts cannot be sent to this model",
    "codeExecutionResult": "code execution parts cannot be sent to this model",
    "videoMetadata": "video cannot be sent to this model",
    "audioTranscription": "audio cannot be sent to this model",
    "toolCall": "server-side tool calls cannot be sent to this model",
    "toolResponse": "server-side tool calls cannot be sent to this model",
}
USER_ROLES = ("user", "function")
# What Gemini CLI signs the calls it made up with (no model's signature: nothing to send).
UNSIGNED = "skip_thought_signature_validator"


def refused(message: str, param: str) -> InvalidRequest:
    return InvalidRequest(f"{param}: {message}.", param=param)


def parts_of(content: Any) -> list[Json]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [part for part in parts if isinstance(part, dict)] if isinstance(parts, list) else []


def system_text(body: Json) -> str:
    """`systemInstruction`'s text (Google takes text only there)."""
    texts = [part.get("text") for part in parts_of(body.get("systemInstruction"))]
    return "\n".join(text for text in texts if isinstance(text, str) and text)


def json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


class CallIds:
    """Tool call ids across a conversation: the client's where it sent them, else made
    from where the call is, and each function response matched to its call."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str]] = []  # (name, id) of calls not yet answered

    def called(self, call: Json, where: str) -> str:
        call_id = call.get("id") or "call_" + where.replace("[", "_").replace("]", "")
        self.pending.append((str(call.get("name") or ""), str(call_id)))
        return str(call_id)

    def answered(self, response: Json, param: str) -> str:
        given = response.get("id")
        name = response.get("name")
        for n, (called_name, call_id) in enumerate(self.pending):
            if (given and call_id == given) or (not given and called_name == name):
                del self.pending[n]
                return call_id
        if given:
            return str(given)
        raise refused(f"no functionCall of '{name}' comes before this functionResponse", param)


def standard_base64(text: str) -> str:
    """Bytes as standard, padded base64. Google's JSON mapping reads URL-safe and unpadded
    base64 too, and the Python SDK sends URL-safe; a data URL, Copilot's opaque signature and
    the thinking blocks a signature carries are the standard form."""
    text = text.replace("-", "+").replace("_", "/")
    return text + "=" * (-len(text) % 4)


def image_part(part: Json, param: str) -> Json:
    blob = part.get("inlineData") or {}
    mime = str(blob.get("mimeType") or "")
    if not mime.startswith("image/"):
        raise refused(f"inline data of type '{mime}' cannot be sent to this model", param)
    data = standard_base64(str(blob.get("data") or ""))
    return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}}


def refuse_unsendable(part: Json, param: str) -> None:
    for name, why in UNSENDABLE_PARTS.items():
        if name in part:
            raise refused(why, f"{param}.{name}")


def response_images(response: Json, param: str) -> list[Json]:
    """A function response's own parts (Gemini CLI sends an image a tool read so): chat's
    tool messages carry text only, so they go in the user's message after the results."""
    images: list[Json] = []
    for j, part in enumerate(parts_of(response)):
        where = f"{param}.parts[{j}]"
        if "fileData" in part:
            raise refused(UNSENDABLE_PARTS["fileData"], f"{where}.fileData")
        if "inlineData" in part:
            images.append(image_part(part, f"{where}.inlineData"))
    return images


def user_messages(parts: list[Json], where: str, ids: CallIds) -> list[Json]:
    """A user turn: its function responses as tool messages (which must follow the calls
    at once), then what the user wrote and the images the responses carried, if any."""
    tools: list[Json] = []
    content: list[Json] = []
    for k, part in enumerate(parts):
        param = f"{where}.parts[{k}]"
        refuse_unsendable(part, param)
        if isinstance(part.get("functionResponse"), dict):
            response = part["functionResponse"]
            call_id = ids.answered(response, f"{param}.functionResponse")
            output = response.get("response")
            text = json_text(output if output is not None else {})
            tools.append({"role": "tool", "tool_call_id": call_id, "content": text})
            content += response_images(response, f"{param}.functionResponse")
        elif "inlineData" in part:
            content.append(image_part(part, f"{param}.inlineData"))
        elif isinstance(part.get("text"), str) and not part.get("thought"):
            content.append({"type": "text", "text": part["text"]})
    if not content:
        return tools
    if all(item["type"] == "text" for item in content):
        return [*tools, {"role": "user", "content": "".join(item["text"] for item in content)}]
    return [*tools, {"role": "user", "content": content}]


def model_message(parts: list[Json], where: str, ids: CallIds) -> Json | None:
    """A model turn as one assistant message (None if nothing in it can be sent)."""
    texts: list[str] = []
    calls: list[Json] = []
    signature = None
    for k, part in enumerate(parts):
        param = f"{where}.parts[{k}]"
        refuse_unsendable(part, param)
        if part.get("thoughtSignature") and part["thoughtSignature"] != UNSIGNED:
            signature = standard_base64(str(part["thoughtSignature"]))
        if isinstance(part.get("functionCall"), dict):
            call = part["functionCall"]
            call_id = ids.called(call, param)
            arguments = json_text(call.get("args") or {})
            calls.append(tool_call(call_id, str(call.get("name") or ""), arguments))
        elif "inlineData" in part:
            raise refused("the model's turns cannot carry inline data", f"{param}.inlineData")
        elif isinstance(part.get("text"), str) and not part.get("thought"):
            texts.append(part["text"])
    if not texts and not calls:
        return None
    message: Json = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        message["tool_calls"] = calls
    if signature:
        message["reasoning_opaque"] = signature
    return message


def chat_messages(body: Json, param: str = "contents") -> list[Json]:
    """The conversation as chat messages; 400 naming the content that cannot be sent, or
    `contents` when nothing in them can."""
    messages: list[Json] = []
    system = system_text(body)
    if system:
        messages.append({"role": "system", "content": system})
    ids = CallIds()
    contents = body.get("contents")
    for n, content in enumerate(contents if isinstance(contents, list) else []):
        where = f"{param}[{n}]"
        role = content.get("role") if isinstance(content, dict) else None
        parts = parts_of(content)
        if role in (None, "", *USER_ROLES):
            messages.extend(user_messages(parts, where, ids))
        elif role == "model":
            message = model_message(parts, where, ids)
            if message is not None:
                messages.append(message)
        else:
            raise refused(f"role '{role}' is neither 'user' nor 'model'", f"{where}.role")
    if not any(message["role"] != "system" for message in messages):
        raise refused("there is no text, image or function call or response in them", param)
    return messages
