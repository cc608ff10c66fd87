"""Copilot's refusals, said with their meaning for the client (and the operator).

Copilot                                   the client gets
466 (client version no longer accepted)   502 copilot_client_outdated, naming the settings
402 (the month's credits are spent)       429 insufficient_quota, with retry-after
429 user_global_rate_limited:<plan>       429 session_limit_exceeded (the 5-hour window)
429 user_weekly_rate_limited              429 weekly_limit_exceeded
400 model_max_prompt_tokens_exceeded      400 context_length_exceeded
499 (cancelled: provider rate limit)      503 upstream_provider_rate_limit (retryable)
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from ...errors import (
    ContextTooLong,
    GatewayError,
    UpstreamFailed,
    UpstreamUnavailable,
)
from ...settings import Settings
from .limits_spent import SPENT_BY_WINDOW, spent_window

# Copilot's words for a prompt over the model's `max_prompt_tokens` (its numbers, its count).
# Where each endpoint's body holds the prompt (the `param` of a prompt too long).
PROMPT_FIELDS = {"/responses": "input"}
PROMPT_OVER_LIMIT = re.compile(r"prompt token count of (\d+) exceeds the limit of (\d+)")

VERSION_SETTINGS = (
    ("GATEWAY_COPILOT_EDITOR_VERSION", "copilot_editor_version"),
    ("GATEWAY_COPILOT_EDITOR_PLUGIN_VERSION", "copilot_editor_plugin_version"),
    ("GATEWAY_COPILOT_USER_AGENT", "copilot_user_agent"),
    ("GATEWAY_COPILOT_API_VERSION", "copilot_api_version"),
)


def outdated_client(error: GatewayError, settings: Settings) -> GatewayError:
    now = ", ".join(f"{variable}={getattr(settings, name)}" for variable, name in VERSION_SETTINGS)
    return UpstreamFailed(
        "Copilot no longer accepts this gateway's client version (Copilot said: "
        f"{error.message}). Raise the version settings to a current VS Code and Copilot Chat "
        f"release and a current API version; now {now}.",
        code="copilot_client_outdated",
    )


SPENT_SAYS = {
    "session": "This Copilot account's 5-hour session limit is spent",
    "weekly": "This Copilot account's weekly limit is spent",
    # Accounts still billed in premium requests get the same 402 for those.
    "credits": "This Copilot account's monthly AI credits (or premium requests) are spent",
}


def window_spent(error: GatewayError, window: str) -> GatewayError:
    """A refusal for a spent window, as the kind the pool rests an account on."""
    reset = error.headers.get("retry-after")
    when = f" It resets in {reset} s." if reset and reset.isdigit() else ""
    return SPENT_BY_WINDOW[window](
        f"{SPENT_SAYS[window]} (Copilot said: {error.message}).{when}", headers=error.headers
    )


def context_too_long(error: GatewayError, path: str) -> GatewayError:
    """The numbers Copilot gave (its own count), for surfaces that say them in their words;
    the prompt's field by the endpoint's body (`input` on /responses)."""
    found = PROMPT_OVER_LIMIT.search(error.message)
    prompt, limit = (int(found[1]), int(found[2])) if found else (None, None)
    param = PROMPT_FIELDS.get(path, "messages")
    return ContextTooLong(error.message, prompt_tokens=prompt, limit=limit, param=param)


def explained(error: GatewayError, settings: Settings, path: str) -> GatewayError:
    """The error Copilot answered, as what it means; others as they are."""
    if error.status == 466:
        return outdated_client(error, settings)
    if (window := spent_window(error)) is not None:
        return window_spent(error, window)
    if error.code == "model_max_prompt_tokens_exceeded":
        return context_too_long(error, path)
    if error.status == 499:
        return UpstreamUnavailable(
            f"Copilot's model provider is rate limiting: {error.message}",
            code="upstream_provider_rate_limit",
            headers=error.headers,
        )
    return error


@contextlib.contextmanager
def copilot_errors(settings: Settings, path: str) -> Iterator[None]:
    """Errors Copilot answered at this endpoint path, raised with their meaning."""
    try:
        yield
    except GatewayError as error:
        raise explained(error, settings, path) from None
