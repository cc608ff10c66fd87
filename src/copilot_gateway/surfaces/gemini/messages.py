"""A Gemini conversation, once translated to chat's messages (see `contents`), as the body of
a Messages request: what Copilot's native count of a Claude model's tokens reads
(`/v1/messages/count_tokens`), and the conversation of a request sent there (see
`messages_request`). System text, text and images, a turn's thinking (its signature, see
`thinking_blocks`), tool calls as `tool_use`, their results as `tool_result`; turns of one
role in a row are one turn, as Messages wants."""

from __future__ import annotations

from typing import Any

from ...upstreams.base import Json
from ..anthropic.translate import tool_input
from .thinking_blocks import blocks_of


def image_block(part: Json) -> Json:
    url = str((part.get("image_url") or {}).get("url") or "")
    media, _, data = url.removeprefix("data:").partition(";base64,")
    return {"type": "image", "source": {"type": "base64", "media_type": media, "data": data}}


def user_blocks(content: Any) -> list[Json]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return [
        image_block(part)
        if part.get("type") == "image_url"
        else {"type": "text", "text": part.get("text", "")}
        for part in content or []
    ]


def assistant_blocks(message: Json) -> list[Json]:
    blocks: list[Json] = blocks_of(message.get("reasoning_opaque"))
    if isinstance(message.get("content"), str) and message["content"]:
        blocks.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call["id"],
                "name": function.get("name", ""),
                "input": tool_input(function.get("arguments")),
            }
        )
    return blocks


def messages_body(model: str, chat: list[Json], tools: list[Json]) -> Json:
    system = "\n".join(m["content"] for m in chat if m["role"] == "system")
    turns: list[Json] = []
    for message in chat:
        role = message["role"]
        if role == "system":
            continue
        if role == "tool":
            result = {
                "type": "tool_result",
                "tool_use_id": message["tool_call_id"],
                "content": message["content"],
            }
            role, blocks = "user", [result]
        elif role == "assistant":
            blocks = assistant_blocks(message)
        else:
            blocks = user_blocks(message.get("content"))
        if not blocks:
            continue  # Messages takes no empty turn
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    body: Json = {"model": model, "messages": turns}
    if system:
        body["system"] = system
    if tools:
        body["tools"] = [
            {
                "name": tool["function"]["name"],
                "description": tool["function"].get("description") or "",
                "input_schema": tool["function"].get("parameters") or {"type": "object"},
            }
            for tool in tools
        ]
    return body
