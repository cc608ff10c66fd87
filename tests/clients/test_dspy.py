"""dspy: Predict with a typed pydantic output, and ReAct with one tool, over its chat format."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Literal

import dspy
import pytest
from pydantic import BaseModel

from conftest import API_KEY


class Person(BaseModel):
    name: str
    born: datetime.date
    languages: list[str]


class Extract(dspy.Signature):
    """Extract the person described in the text."""

    text: str = dspy.InputField()
    person: Person = dspy.OutputField()
    mood: Literal["happy", "sad"] = dspy.OutputField()
    count: int = dspy.OutputField()


@pytest.fixture
def lm(gateway_url: str) -> Iterator[dspy.LM]:
    lm = dspy.LM(
        "openai/gpt-4o", api_base=f"{gateway_url}/v1", api_key=API_KEY, cache=False, num_retries=0
    )
    with dspy.context(lm=lm, adapter=dspy.ChatAdapter(use_json_adapter_fallback=False)):
        yield lm


def test_predict_fills_typed_outputs(lm: dspy.LM) -> None:
    prediction = dspy.Predict(Extract)(text="Ann, born 1990-05-01, speaks French. She is sad.")
    assert prediction.person == Person(
        name="emulated", born=datetime.date(2024, 1, 15), languages=["emulated"]
    )
    assert prediction.mood == "sad" and prediction.count == 1


def test_react_calls_its_tool_then_finishes(lm: dspy.LM) -> None:
    asked: list[str] = []

    def get_weather(city: str) -> str:
        """The current weather in a city."""
        asked.append(city)
        return f"Sunny in {city}"

    react = dspy.ReAct("question -> answer", tools=[get_weather], max_iters=5)
    prediction = react(question="What is the weather in Paris?")
    assert asked == ["emulated"]
    trajectory = prediction.trajectory
    assert trajectory["tool_name_0"] == "get_weather"
    assert trajectory["observation_0"] == "Sunny in emulated"
    assert trajectory["tool_name_1"] == "finish" and "tool_name_2" not in trajectory
    assert prediction.answer == "Emulated answer."
