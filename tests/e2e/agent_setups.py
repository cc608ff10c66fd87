"""How each agent CLI is pointed at the gateway: its files, environment and command line,
as the end-to-end tests run it and as the docs show it (`agent_pages` writes them from
SETUPS; a test keeps them the same).

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
SURFACES = {
    "chat": "gpt-4o",
    "responses": "gpt-5.3-codex",
    "messages": "claude-sonnet-4",
    "gemini": "gemini-2.5-pro",
}
# Where each surface's calls go (Gemini's paths name the model: a prefix).
SURFACE_PATHS = {
    "chat": "/v1/chat/completions",
    "responses": "/v1/responses",
    "messages": "/v1/messages",
    "gemini": "/v1beta/models/",
}


@dataclass(frozen=True)
class Setup:
    """One CLI on one surface with one model. `files` are paths under the home directory;
    `command` is the CLI's command line before the prompt (its binary first, as npm
    installs it)."""

    cli: str
    project: str  # its npm project's folder under tests/e2e
    surface: str
    model: str  # as the CLI sends it ("" for the CLI's own default)
    command: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    before: tuple[tuple[str, ...], ...] = ()  # setup commands (its binary first) run once
    # Beside its environment, what keeps it offline: settings of its file (dotted paths) and
    # flags of its command.
    offline: tuple[str, ...] = ()

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
                "options": {"baseURL": f"{GATEWAY}/v1", "apiKey": "{env:COPILOT_GATEWAY_KEY}"},
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
        model=SURFACES[surface],
        command=("opencode", "run"),
        env={"COPILOT_GATEWAY_KEY": KEY, **OPENCODE_OFFLINE},
        files={".config/opencode/opencode.json": as_json(opencode_config(surface))},
        offline=("autoupdate", "share"),
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
        model=SURFACES[surface],
        command=("kilo", "run"),
        env={"COPILOT_GATEWAY_KEY": KEY, **offline, "KILO_TELEMETRY_LEVEL": "off"},
        files={".config/kilo/kilo.json": as_json(config)},
        offline=("autoupdate", "share", "enabled_providers"),
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
                "apiKey": "COPILOT_GATEWAY_KEY",
                "models": [{"id": model}],
            }
        }
    }
    return Setup(
        cli="pi",
        project="pi",
        surface=surface,
        model=model,
        command=("pi", "--offline", "--provider", "gateway", "--model", model, "-p"),
        env={"COPILOT_GATEWAY_KEY": KEY, "PI_OFFLINE": "1"},
        files={".pi/agent/models.json": as_json(models)},
        offline=("--offline",),
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
        model=model,
        command=("cline",),
        env=CLINE_OFFLINE_ENV,
        before=((*login, "--baseurl", f"{GATEWAY}/v1"),),
        files={".cline/data/settings/global-settings.json": as_json(CLINE_OFFLINE)},
        offline=tuple(CLINE_OFFLINE),
    )


QWEN_SETTINGS = {
    "telemetry": {"enabled": False},
    "privacy": {"usageStatisticsEnabled": False},
    "general": {"disableAutoUpdate": True},
}


def qwen(surface: str = "chat") -> Setup:
    model = SURFACES[surface]
    return Setup(
        cli="qwen-code",
        project="qwen_code",
        surface=surface,
        model=model,
        command=("qwen", "--auth-type", "openai", "-m", model, "--yolo"),
        env={"OPENAI_BASE_URL": f"{GATEWAY}/v1", "OPENAI_API_KEY": KEY},
        files={".qwen/settings.json": as_json(QWEN_SETTINGS)},
        offline=(
            "telemetry.enabled",
            "privacy.usageStatisticsEnabled",
            "general.disableAutoUpdate",
        ),
    )


# Codex speaks only the Responses API (`wire_api = "chat"` is refused by its config loader).
CODEX_CONFIG = f"""\
model = "{SURFACES["responses"]}"
model_provider = "gateway"
check_for_update_on_startup = false

[model_providers.gateway]
name = "copilot-gateway"
base_url = "{GATEWAY}/v1"
env_key = "COPILOT_GATEWAY_KEY"   # the variable holding the gateway key
wire_api = "responses"

[features]
plugins = false   # else it clones its plugins from github.com

[analytics]
enabled = false
"""


def codex() -> Setup:
    return Setup(
        cli="codex",
        project="codex",
        surface="responses",
        model=SURFACES["responses"],
        command=("codex", "exec", "--skip-git-repo-check"),
        env={"COPILOT_GATEWAY_KEY": KEY},
        files={".codex/config.toml": CODEX_CONFIG},
        offline=("check_for_update_on_startup", "features.plugins", "analytics.enabled"),
    )


# Its nonessential traffic (the base URL's `HEAD /api/hello`, api.anthropic.com), telemetry,
# error reports and updates off.
CLAUDE_CODE_OFFLINE = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_AUTOUPDATER": "1",
}


def claude_code(model: str = "claude-sonnet-4-5") -> Setup:
    """Claude Code with `--model` (its documented id by default; "" for its own default)."""
    return Setup(
        cli="claude-code",
        project="claude_code",
        surface="messages",
        model=model,
        command=("claude", *(("--model", model) if model else ()), "-p"),
        # Its key as `x-api-key` (ANTHROPIC_AUTH_TOKEN would send it as a bearer token).
        env={"ANTHROPIC_BASE_URL": GATEWAY, "ANTHROPIC_API_KEY": KEY, **CLAUDE_CODE_OFFLINE},
    )


GEMINI_SETTINGS = {
    # Its key, sent as `x-goog-api-key` (the base URL alone would select another auth type).
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
    "telemetry": {"enabled": False},
    "privacy": {"usageStatisticsEnabled": False},
}


def gemini_cli() -> Setup:
    model = SURFACES["gemini"]
    return Setup(
        cli="gemini-cli",
        project="gemini_cli",
        surface="gemini",
        model=model,
        # Tools run without asking (`--yolo`) in a trusted workspace, as a scripted run needs.
        command=("gemini", "-m", model, "--yolo", "-p"),
        env={
            "GOOGLE_GEMINI_BASE_URL": GATEWAY,
            "GEMINI_API_KEY": KEY,
            "GEMINI_CLI_TRUST_WORKSPACE": "true",
            "NO_BROWSER": "true",
        },
        files={".gemini/settings.json": as_json(GEMINI_SETTINGS)},
        offline=(
            "general.disableAutoUpdate",
            "general.disableUpdateNag",
            "telemetry.enabled",
            "privacy.usageStatisticsEnabled",
        ),
    )


# Each CLI on its own surface; opencode and pi on each of the three they can use.
SETUPS = [
    codex(),
    claude_code(),
    gemini_cli(),
    *(opencode(surface) for surface in ("chat", "responses", "messages")),
    *(pi(surface) for surface in ("chat", "responses", "messages")),
    qwen("chat"),
    kilo("chat"),
    cline("chat"),
]
