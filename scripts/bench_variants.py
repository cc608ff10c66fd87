"""The gateway with one feature switched off (or limits switched on), for the benchmark's
feature-cost rows.

Serves `copilot_gateway.app.build`'s app with `uvicorn_options`, as `serve` does; where a
setting switches the feature it is used, otherwise the feature is patched out in this
process only (the gateway itself has no such switches, and gets none for the benchmark).
Settings come from the environment, as for `serve`.

    python scripts/bench_variants.py no-metrics --port 9904
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from copilot_gateway.app import build, uvicorn_options
from copilot_gateway.edge.descriptors import raise_descriptor_limit
from copilot_gateway.observability.logs import configure_logging
from copilot_gateway.settings import Settings

BENCH_KEY = "sk-bench"


def nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def without_metrics() -> dict[str, Any]:
    from copilot_gateway.observability import observe
    from copilot_gateway.upstreams import client

    observe.metrics.observe_request = nothing  # type: ignore[assignment]
    client.observe_upstream = nothing  # type: ignore[assignment]
    return {}


def without_request_validation() -> dict[str, Any]:
    """Bodies still parsed (handlers take the parsed body), no longer checked against the spec."""
    from copilot_gateway.spec.requests import RequestBodyValidator

    RequestBodyValidator._validate = nothing  # type: ignore[method-assign]
    return {}


def without_answer_checks() -> dict[str, Any]:
    from copilot_gateway.spec.answers import AnswerChecks

    AnswerChecks.check = nothing  # type: ignore[method-assign]
    return {}


def limited(rules: str) -> Callable[[], dict[str, Any]]:
    """The bench key with these limits (far above what the bench sends), in memory."""

    def settings() -> dict[str, Any]:
        digest = hashlib.sha256(BENCH_KEY.encode()).hexdigest()
        config = Path(tempfile.mkdtemp(prefix="bench-limits-")) / "gateway.toml"
        config.write_text(f'[[keys]]\nname = "bench"\nsha256 = "{digest}"\n{rules}\n')
        return {"config_file": config, "api_keys": []}

    return settings


# Each variant: what it changes, and the setting overrides it needs (after any patching).
VARIANTS: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "all-on": ("everything on (as `serve`)", dict),
    "no-auth": ("auth off (GATEWAY_AUTH_DISABLED on loopback)", lambda: {"auth_disabled": True}),
    "no-access-log": ("access log off (log level warning)", lambda: {"log_level": "warning"}),
    "no-metrics": ("metrics off (patched out)", without_metrics),
    "no-request-validation": (
        "request schema validation off (patched out)",
        without_request_validation,
    ),
    "no-answer-checks": ("answer conformance off (patched out)", without_answer_checks),
    "limits-tokens": (
        "limits on: the key has tpm and max_parallel (config file)",
        limited("tpm = 1000000000000\nmax_parallel = 100000"),
    ),
    # A moving window keeps each request's time for a minute: at this bench's rate, ~60,000.
    "limits-rpm": (
        "limits on: the key has rpm, its minute holding ~60,000 requests",
        limited("rpm = 1000000000"),
    ),
    "httpx-transport": (
        "upstream transport httpx's own pool, not aiohttp's",
        lambda: {"upstream_transport": "httpx"},
    ),
}


def serve(variant: str, port: int) -> None:
    overrides = VARIANTS[variant][1]()
    settings = Settings(port=port, **overrides)
    configure_logging(settings.log_format, settings.log_level)
    raise_descriptor_limit()
    built = build(settings)
    uvicorn.run(built.app, **uvicorn_options(settings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=sorted(VARIANTS))
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    serve(arguments.variant, arguments.port)


if __name__ == "__main__":
    main()
