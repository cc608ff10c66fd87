"""LangChain: structured output (json_schema and json_mode) and a tool-calling agent."""

from __future__ import annotations

import datetime

import pytest
from langchain.agents import create_agent
from langchain_core.messages import ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from conftest import API_KEY


class Meeting(BaseModel):
    title: str
    day: datetime.date
    attendees: list[str]
    room: str | None


@pytest.fixture
def chat(gateway_url: str) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o", base_url=f"{gateway_url}/v1", api_key=API_KEY, max_retries=0)  # type: ignore[arg-type]


def test_structured_output_with_json_schema(chat: ChatOpenAI) -> None:
    meeting = chat.with_structured_output(Meeting, method="json_schema").invoke(
        "Plan a meeting for Monday"
    )
    assert isinstance(meeting, Meeting)
    assert meeting.day == datetime.date(2024, 1, 15) and meeting.attendees == ["emulated"]


def test_structured_output_in_json_mode(chat: ChatOpenAI) -> None:
    answer = chat.with_structured_output(method="json_mode").invoke(
        "Return a JSON object with keys title, day and room."
    )
    assert answer == {"title": "emulated", "day": "emulated", "room": "emulated"}


def test_a_tool_calling_agent_runs_its_tool_and_finishes(chat: ChatOpenAI) -> None:
    asked: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        """The current weather in a city."""
        asked.append(city)
        return f"Sunny in {city}"

    agent = create_agent(chat, tools=[get_weather])
    state = agent.invoke({"messages": [("user", "What is the weather in Paris?")]})
    messages = state["messages"]
    assert asked == ["emulated"]
    assert any(isinstance(m, ToolMessage) and m.content == "Sunny in emulated" for m in messages)
    assert "The tool said: Sunny in emulated" in messages[-1].content
