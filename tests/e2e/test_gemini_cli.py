"""Gemini CLI (`@google/gemini-cli` from the npm registry, pinned by its folder's lock)
pointed at the gateway as the docs say (`agent_setups.gemini_cli`): `gemini -p` answers
through the Gemini surface, and a task that calls one of its tools sends the tool's result
back and ends in text; its default model and a model it is given (`-m` or `GEMINI_MODEL`)
each reach the Copilot model the docs name.

Each run is in a network namespace with only loopback, and each asserts Gemini CLI looked
up no name and connected nowhere but the gateway (`agent_runs.run_agent`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from agent_runs import initiators, run_agent
from agent_setups import Setup, gemini_cli

DEFAULT_REACHES = "gemini-3.1-pro-preview"


def choosing(model: str, how: str = "-m") -> Setup:
    """Gemini CLI's setup with `-m model`, or `GEMINI_MODEL` (`how="env"`), or no model at
    all (`model=""`: Gemini CLI's own default)."""
    setup = gemini_cli()
    command = tuple(word for word in setup.command if word not in ("-m", setup.model))
    if model and how == "-m":
        command = (command[0], "-m", model, *command[1:])
    env = {**setup.env, "GEMINI_MODEL": model} if model and how == "env" else setup.env
    return dataclasses.replace(setup, model=model, command=command, env=env)


def test_gemini_cli_answers_a_plain_prompt(tmp_path: Path) -> None:
    seen = run_agent(gemini_cli(), "Say hi", tmp_path)
    assert "Hello from the gemini-2.5-pro emulator." in seen["stdout"]
    assert initiators(seen)[0] == "user"


def test_gemini_cli_runs_a_tool_and_sends_its_result_back(tmp_path: Path) -> None:
    # The emulator calls the tool whose words best match the prompt (its tool rule); the
    # tool's result goes back as a functionResponse, the agent's turn, and the loop ends
    # with the emulator quoting it.
    seen = run_agent(gemini_cli(), "Update the todo list", tmp_path)
    assert "The tool said:" in seen["stdout"]
    assert initiators(seen)[:2] == ["user", "agent"]


def test_gemini_clis_default_model_reaches_the_copilot_model_it_names(tmp_path: Path) -> None:
    # No `-m`: Gemini CLI's default for an API key (`auto`, its Gemini 3 Pro preview), which
    # Copilot does not serve: the nearest Gemini Pro it does (see `access.aliases`).
    seen = run_agent(choosing(""), "Say hi", tmp_path)
    assert seen["models"] and set(seen["models"]) == {DEFAULT_REACHES}
    assert f"Hello from the {DEFAULT_REACHES} emulator." in seen["stdout"]


@pytest.mark.parametrize("how", ["-m", "env"])
@pytest.mark.parametrize(
    ("asked", "reaches"),
    [("gemini-3.1-pro-preview-customtools", "gemini-3.1-pro-preview"), ("claude-sonnet-4.5",) * 2],
)
def test_an_explicit_model_reaches_the_copilot_model_it_names(
    tmp_path: Path, how: str, asked: str, reaches: str
) -> None:
    seen = run_agent(choosing(asked, how), "Say hi", tmp_path)
    assert seen["models"] and set(seen["models"]) == {reaches}
    assert f"Hello from the {reaches} emulator." in seen["stdout"]
