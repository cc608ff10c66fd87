"""How each agent CLI is pointed at the gateway: its files, environment and command line,
as the end-to-end tests run it and as the README's "Use it from your agent" shows it (a
test keeps the two the same).

Every setup uses the gateway at GATEWAY (`copilot-gateway serve`'s default address) with
KEY, one of its GATEWAY_API_KEYS, and turns off all of the CLI's own outside traffic.
"""

from __future__ import annotations

import json
import shlex
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
    before: tuple[tuple[str, ...], ...] = ()  # setup commands (its binary first) run once

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


def opencode_config(surface: str) -> dict:
    """The provider config opencode and kilo (its fork) read."""
    model = SURFACES[surface]
    return {
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


def opencode(surface: str) -> Setup:
    return Setup(
        cli="opencode",
        project="opencode",
        surface=surface,
        command=("opencode", "run"),
        env={"GATEWAY_KEY": KEY, **OPENCODE_OFFLINE},
        files={".config/opencode/opencode.json": as_json(opencode_config(surface))},
    )


def kilo(surface: str = "chat") -> Setup:
    offline = {name.replace("OPENCODE_", "KILO_"): on for name, on in OPENCODE_OFFLINE.items()}
    # Only the gateway: its own provider, Kilo Gateway, lists its models from api.kilo.ai.
    config = {
        **opencode_config(surface),
        "$schema": "https://app.kilo.ai/config.json",
        "enabled_providers": ["gateway"],
    }
    return Setup(
        cli="kilo",
        project="kilo",
        surface=surface,
        command=("kilo", "run"),
        env={"GATEWAY_KEY": KEY, **offline, "KILO_TELEMETRY_LEVEL": "off"},
        files={".config/kilo/kilo.json": as_json(config)},
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
                # Anthropic's client adds /v1 itself.
                "baseUrl": GATEWAY if surface == "messages" else f"{GATEWAY}/v1",
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


# Its telemetry (otel.cline.bot) and update checks off.
CLINE_OFFLINE = {"telemetryOptOut": True, "autoUpdateEnabled": False}
# Its feature flags (data.cline.bot) have no setting of their own: only its test switch
# keeps it from fetching them.
CLINE_OFFLINE_ENV = {"CLINE_NO_AUTO_UPDATE": "1", "E2E_TEST": "true"}


def cline(surface: str = "chat") -> Setup:
    model = SURFACES[surface]
    login = ("cline", "auth", "--provider", "openai", "--apikey", KEY, "--modelid", model)
    return Setup(
        cli="cline",
        project="cline",
        surface=surface,
        command=("cline",),
        env=CLINE_OFFLINE_ENV,
        before=((*login, "--baseurl", f"{GATEWAY}/v1"),),
        files={".cline/data/settings/global-settings.json": as_json(CLINE_OFFLINE)},
    )


QWEN_SETTINGS = {
    "telemetry": {"enabled": False},
    "privacy": {"usageStatisticsEnabled": False},
    "general": {"disableAutoUpdate": True},
}


def qwen(surface: str = "chat") -> Setup:
    return Setup(
        cli="qwen-code",
        project="qwen_code",
        surface=surface,
        command=("qwen", "--auth-type", "openai", "-m", SURFACES[surface], "--yolo"),
        env={"OPENAI_BASE_URL": f"{GATEWAY}/v1", "OPENAI_API_KEY": KEY},
        files={".qwen/settings.json": as_json(QWEN_SETTINGS)},
    )


# opencode and pi on each surface; the others over chat completions.
SETUPS = [
    *(opencode(surface) for surface in SURFACES),
    *(pi(surface) for surface in SURFACES),
    qwen("chat"),
    kilo("chat"),
    cline("chat"),
]


# The README's "Use it from your agent", written from SETUPS -------------------------------

README_START = "<!-- agent setups: written by `python tests/e2e/agent_setups.py` -->"
README_END = "<!-- end of agent setups -->"
SURFACE_NAMES = {
    "chat": "chat completions",
    "responses": "the Responses API",
    "messages": "the Messages API",
}


def shell_words(words: tuple[str, ...] | list[str]) -> str:
    return " ".join(shlex.quote(word) for word in words)


def setup_text(setup: Setup) -> str:
    """One setup as the README shows it: its files, its setup command, its run."""
    lines = [f"{setup.cli} over {SURFACE_NAMES[setup.surface]} (`{setup.model}`):", ""]
    for path, text in setup.files.items():
        lines += ["```json", f"// ~/{path}", text.rstrip("\n"), "```", ""]
    lines.append("```sh")
    lines += [shell_words(command) for command in setup.before]
    env = [f"{name}={shlex.quote(value)}" for name, value in setup.env.items()]
    lines += [" \\\n  ".join([*env, shell_words(setup.argv("say hi"))]), "```", ""]
    return "\n".join(lines)


def readme_section() -> str:
    """What the README holds between README_START and README_END."""
    return "\n".join([README_START, "", *map(setup_text, SETUPS), README_END])


if __name__ == "__main__":
    print(readme_section())
