"""The OpenAI Agents SDK (`openai-agents`), which speaks only the Responses API, running a
tool-using agent against a real gateway on loopback, natively and translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from agents import (
    Agent,
    ModelSettings,
    RunConfig,
    Runner,
    RunResult,
    function_tool,
    set_default_openai_client,
    set_tracing_disabled,
)
from agents.models import get_default_model
from openai import AsyncOpenAI

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator
from servers import gateway_settings, serving

asked: list[str] = []


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    asked.append(city)
    return f"It is sunny in {city}."


@pytest.mark.parametrize("model", ["gpt-5-mini", "gpt-4o"])  # native, translated
def test_an_agent_calls_its_tool_and_answers(
    emulator_url: str, emulator: CopilotEmulator, model: str, tmp_path: Path
) -> None:
    # The agent names no model: the SDK asks for its own default, which the operator maps
    # to a model the upstream serves with the config file's alias table.
    config = tmp_path / "gateway.toml"
    config.write_text(f'[models.aliases]\n"{get_default_model()}" = "{model}"\n')
    with serving(gateway_settings(emulator_url, config_file=config)) as gateway_url:
        result = run_agent(gateway_url)
    assert asked == ["emulated"]  # the emulator fills arguments from the tool's schema
    assert result.final_output.endswith("The tool said: It is sunny in emulated.")
    bodies = list(emulator.state.responses_requests)
    if model == "gpt-5-mini":
        # The second turn handed the tool's output back to the model.
        outputs = [i for i in bodies[-1]["input"] if i.get("type") == "function_call_output"]
        assert outputs and outputs[0]["output"] == "It is sunny in emulated."


def run_agent(gateway_url: str) -> RunResult:
    set_tracing_disabled(True)
    set_default_openai_client(
        AsyncOpenAI(base_url=f"{gateway_url}/v1", api_key=API_KEY, max_retries=0),
        use_for_tracing=False,
    )
    agent = Agent(
        name="forecaster",
        instructions="Use the tool, then answer.",
        tools=[get_weather],
        model_settings=ModelSettings(tool_choice="required"),  # reset after the call
    )
    asked.clear()
    return Runner.run_sync(agent, "What is the weather in Paris?", run_config=RunConfig())
