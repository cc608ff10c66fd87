"""Every name the bench takes from inside the gateway, in this one module.

The floor (`benchlib.floor`), the feature variants (`benchlib.variants`), the start-up timing
(`benchlib.startup`) and the emulated-instances section reach past `copilot-gateway serve`
into the package. Modules move (`upstreams/http.py` became `upstreams/client.py`, `limits/`
became `key_limits/`), and the A/B mode runs these servers against an older revision too: so
each name is looked up at its current home first and at its older ones after, and nothing
here is imported before it is used (`--help` and `--render` need no gateway).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

# Each name the bench uses, and where to find it: its current home first, older ones after.
NAMES: dict[str, tuple[str, ...]] = {
    "Settings": ("copilot_gateway.settings:Settings",),
    "build": ("copilot_gateway.app:build",),
    "uvicorn_options": ("copilot_gateway.app:uvicorn_options",),
    "make_client": (
        "copilot_gateway.upstreams.client:make_client",
        "copilot_gateway.upstreams.http:make_client",
    ),
    "configure_logging": ("copilot_gateway.observability.logs:configure_logging",),
    "raise_descriptor_limit": ("copilot_gateway.edge.descriptors:raise_descriptor_limit",),
    "instance_of": ("copilot_gateway.emulator.instances:instance_of",),
    "observe_request": ("copilot_gateway.observability.metrics:observe_request",),
    "observe_upstream": ("copilot_gateway.observability.metrics:observe_upstream",),
    "RequestBodyValidator": ("copilot_gateway.spec.requests:RequestBodyValidator",),
    "AnswerChecks": ("copilot_gateway.spec.answers:AnswerChecks",),
    "Ledger": ("copilot_gateway.state.ledger:Ledger",),
    "ledger_engine": ("copilot_gateway.state.database:engine_for",),
    "ledger_migrate": ("copilot_gateway.state.database:migrate",),
    "ledger_backfill": ("copilot_gateway.state.ledger.rollup:backfill",),
    "usage_report": ("copilot_gateway.state.ledger.reports:usage_report",),
    "report_groups": ("copilot_gateway.state.ledger.reports:GROUPS",),
    "dashboard_overview": ("copilot_gateway.surfaces.dashboard.pages:overview",),
    "dashboard_keys": ("copilot_gateway.surfaces.dashboard.pages:keys",),
    "dashboard_requests": ("copilot_gateway.surfaces.dashboard.pages:requests",),
    "dashboard_request": ("copilot_gateway.state.ledger.recent:one",),
    "dashboard_html": ("copilot_gateway.surfaces.dashboard.routes:html",),
    "ledger_filters": ("copilot_gateway.state.ledger.recent:Filters",),
    "StateDatabase": ("copilot_gateway.state.database:StateDatabase",),
    "KeyAdmin": ("copilot_gateway.access.key_admin:KeyAdmin",),
}


def _module(name: str) -> ModuleType | None:
    """The module, or None where it does not exist (a module that exists but fails to
    import raises: that is a broken gateway, not an older layout)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            return None
        raise


def first_of(*candidates: str) -> Any:
    """The first of `module:attribute` candidates that exists."""
    for candidate in candidates:
        module_name, _, attribute = candidate.partition(":")
        module = _module(module_name)
        if module is not None and hasattr(module, attribute):
            return getattr(module, attribute)
    raise ImportError(f"the gateway has none of {', '.join(candidates)}")


def resolve(name: str) -> Any:
    """One of `NAMES`, from the gateway installed here."""
    return first_of(*NAMES[name])


def settings(**overrides: Any) -> Any:
    """A `Settings` from the environment (as `serve` reads it), with these overrides."""
    return resolve("Settings")(**overrides)


def build(settings: Any) -> Any:
    """The gateway's ASGI app, as `serve` builds it."""
    built = resolve("build")(settings)
    return getattr(built, "app", built)  # `build` returns a holder of the app and its parts


def uvicorn_options(settings: Any) -> dict[str, Any]:
    options: dict[str, Any] = resolve("uvicorn_options")(settings)
    return options


def make_client(settings: Any) -> Any:
    """The gateway's pooled upstream client (httpx on aiohttp's transport)."""
    return resolve("make_client")(settings)


def prepare_process(settings: Any) -> None:
    """What `serve` does to the process before it serves: logging, descriptor limit."""
    resolve("configure_logging")(settings.log_format, settings.log_level)
    resolve("raise_descriptor_limit")()


def instance_of() -> Callable[[Any, str], Any]:
    """The emulator's builder of a structured answer from a JSON schema."""
    built: Callable[[Any, str], Any] = resolve("instance_of")
    return built


# Switching features off in a variant's process only ------------------------------------------


def nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def replace_everywhere(original: object, replacement: object) -> None:
    """Every module of the gateway that holds `original` (its home, and whoever imported it
    by name) holds `replacement` instead; later imports find the replacement at its home."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("copilot_gateway") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if value is original:
                setattr(module, attribute, replacement)


def switch_off_metrics() -> None:
    resolve("build")  # imports the app, and with it every module that holds a metrics function
    for name in ("observe_request", "observe_upstream"):
        replace_everywhere(resolve(name), nothing)


def switch_off_request_validation() -> None:
    """Bodies still parsed (handlers take the parsed body), no longer checked against the spec."""
    resolve("RequestBodyValidator")._validate = nothing


def switch_off_answer_checks() -> None:
    resolve("AnswerChecks").check = nothing


def switch_off_ledger() -> None:
    """Rows noted nowhere: the ledger's writer finds nothing to write."""
    resolve("Ledger").note = nothing
