"""pydantic-ai: an agent with a function tool and a structured output runs to completion."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from conftest import API_KEY


class Forecast(BaseModel):
    city: str
    summary: str
    degrees: int


def test_agent_calls_its_tool_then_gives_the_output(gateway_url: str) -> None:
    model = OpenAIChatModel(
        "gpt-4o", provider=OpenAIProvider(base_url=f"{gateway_url}/v1", api_key=API_KEY)
    )
    agent = Agent(model, output_type=Forecast)
    asked: list[str] = []

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The current weather in a city."""
        asked.append(city)
        return f"Sunny in {city}, 21C"

    result = agent.run_sync("What is the weather in Paris?")
    assert asked == ["emulated"]  # the tool ran once, with arguments from its schema
    assert result.output == Forecast(city="emulated", summary="emulated", degrees=1)
    tool_names = [
        part.tool_name
        for message in result.all_messages()
        for part in getattr(message, "parts", [])
        if part.part_kind == "tool-call"
    ]
    assert tool_names == ["get_weather", "final_result"]


def test_agent_with_text_output_answers_after_the_tool(gateway_url: str) -> None:
    model = OpenAIChatModel(
        "gpt-4o", provider=OpenAIProvider(base_url=f"{gateway_url}/v1", api_key=API_KEY)
    )
    agent = Agent(model)

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The current weather in a city."""
        return "Sunny, 21C"

    result = agent.run_sync("What is the weather in Paris?")
    assert "The tool said: Sunny, 21C" in result.output
