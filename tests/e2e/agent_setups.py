"""How each agent CLI is pointed at the gateway: its files, environment and command line,
as the end-to-end tests run it and as the README's "Use it from your agent" shows it (a
test keeps the two the same).

Every setup uses the gateway at GATEWAY (`copilot-gateway serve`'s default address) with
KEY, one of its GATEWAY_API_KEYS, and turns off all of the CLI's own outside traffic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

GATEWAY_PORT = 8080
GATEWAY = f"http://127.0.0.1:{GATEWAY_PORT}"
KEY = "sk-gateway-key"

# Each surface, and the model the tests use on it (the emulator answers by the model's name).
SURFACES = {"chat": "gpt-4o", "responses": "gpt-5.3-codex", "messages": "claude-sonnet-4"}
SURFACE_PATHS = {
    "chat": "/v1/chat/completions",
    "responses": "/v1/responses",
    "messages": "/v1/messages",
}


@dataclass(frozen=True)
class Setup:
    """One CLI on one surface. `files` are paths under the home directory; `command` is
    the CLI's command line before the prompt (its binary first, as npm installs it)."""

    cli: str
    project: str  # its npm project's folder under tests/e2e
    surface: str
    command: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return SURFACES[self.surface]

    def argv(self, prompt: str) -> list[str]:
        return [*self.command, prompt]


def as_json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


# opencode bundles the AI SDK packages named here (none is installed at run time).
OPENCODE_PACKAGES = {
    "chat": "@ai-sdk/openai-compatible",
    "responses": "@ai-sdk/openai",
    "messages": "@ai-sdk/anthropic",
}
OPENCODE_OFFLINE = {
    "OPENCODE_DISABLE_AUTOUPDATE": "1",
    "OPENCODE_DISABLE_MODELS_FETCH": "1",
    "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
    "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
    "OPENCODE_DISABLE_SHARE": "1",
    # It installs its plugin package into its config folder in the background: from npm's
    # cache only, so offline it gives up at once (a warning in its log) and looks up nothing.
    "npm_config_offline": "true",
}


def opencode(surface: str) -> Setup:
    model = SURFACES[surface]
    config = {
        "$schema": "https://opencode.ai/config.json",
        "autoupdate": False,
        "share": "disabled",
        "provider": {
            "gateway": {
                "npm": OPENCODE_PACKAGES[surface],
                "name": "copilot-gateway",
                "options": {"baseURL": f"{GATEWAY}/v1", "apiKey": "{env:GATEWAY_KEY}"},
                "models": {model: {"name": model}},
            }
        },
        "model": f"gateway/{model}",
    }
    return Setup(
        cli="opencode",
        project="opencode",
        surface=surface,
        command=("opencode", "run"),
        env={"GATEWAY_KEY": KEY, **OPENCODE_OFFLINE},
        files={".config/opencode/opencode.json": as_json(config)},
    )


PI_APIS = {
    "chat": "openai-completions",
    "responses": "openai-responses",
    "messages": "anthropic-messages",
}


def pi(surface: str) -> Setup:
    model = SURFACES[surface]
    models = {
        "providers": {
            "gateway": {
                "baseUrl": f"{GATEWAY}/v1",
                "api": PI_APIS[surface],
                "apiKey": "GATEWAY_KEY",
                "models": [{"id": model}],
            }
        }
    }
    return Setup(
        cli="pi",
        project="pi",
        surface=surface,
        command=("pi", "--offline", "--provider", "gateway", "--model", model, "-p"),
        env={"GATEWAY_KEY": KEY, "PI_OFFLINE": "1"},
        files={".pi/agent/models.json": as_json(models)},
    )


SETUPS = [
    opencode("chat"),
    opencode("messages"),
    pi("chat"),
    pi("responses"),
]
