"""Copilot's refusals, said with their meaning for the client (and the operator).

Copilot                                   the client gets
466 (client version no longer accepted)   502 copilot_client_outdated, naming the settings
402 (premium quota exhausted)             429 insufficient_quota, with retry-after
400 model_max_prompt_tokens_exceeded      400 context_length_exceeded
499 (cancelled: provider rate limit)      503 upstream_provider_rate_limit (retryable)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ...errors import (
    GatewayError,
    InvalidRequest,
    QuotaExhausted,
    UpstreamFailed,
    UpstreamUnavailable,
)
from ...settings import Settings

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


def quota_exhausted(error: GatewayError) -> GatewayError:
    reset = error.headers.get("retry-after")
    when = f" It resets in {reset} s." if reset and reset.isdigit() else ""
    return QuotaExhausted(
        f"Copilot's premium request quota is exhausted (Copilot said: {error.message}).{when}",
        headers=error.headers,
    )


def explained(error: GatewayError, settings: Settings) -> GatewayError:
    """The error Copilot answered, as what it means; others as they are."""
    if error.status == 466:
        return outdated_client(error, settings)
    if error.status == 402:
        return quota_exhausted(error)
    if error.code == "model_max_prompt_tokens_exceeded":
        return InvalidRequest(error.message, param="messages", code="context_length_exceeded")
    if error.status == 499:
        return UpstreamUnavailable(
            f"Copilot's model provider is rate limiting: {error.message}",
            code="upstream_provider_rate_limit",
            headers=error.headers,
        )
    return error


@contextlib.contextmanager
def copilot_errors(settings: Settings) -> Iterator[None]:
    """Errors Copilot answered, raised with their meaning."""
    try:
        yield
    except GatewayError as error:
        raise explained(error, settings) from None
