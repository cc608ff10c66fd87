"""The gateway with one feature switched off (or limits switched on), for the benchmark's
feature-cost rows.

Serves the gateway's app with its uvicorn options, as `serve` does; where a setting switches
the feature it is used, otherwise the feature is patched out in this process only (the
gateway itself has no such switches, and gets none for the benchmark). Settings come from
the environment, as for `serve`.

    PYTHONPATH=scripts python -m benchlib.variants no-metrics --scratch /tmp/x --port 9904
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .servers import ADMIN_TOKEN, KEY

# Given a directory of the bench's to write in (removed by the bench after the run: a server
# stopped by a signal runs no exit handlers of its own), the setting overrides.
Overrides = Callable[[Path], dict[str, Any]]


@dataclass(frozen=True)
class Variant:
    description: str
    overrides: Overrides  # run in the variant's process: patches, then setting overrides
    switches_on: bool = False  # it adds work (limits, another transport): its cost adds
    redis: bool = False  # its limits are counted in a Redis the bench starts


def patched(patch: Callable[[], None]) -> Overrides:
    def overrides(_scratch: Path) -> dict[str, Any]:
        patch()
        return {}

    return overrides


def metrics_off() -> None:
    from . import internals

    internals.switch_off_metrics()


def request_validation_off() -> None:
    from . import internals

    internals.switch_off_request_validation()


def answer_checks_off() -> None:
    from . import internals

    internals.switch_off_answer_checks()


def ledger_off() -> None:
    from . import internals

    internals.switch_off_ledger()


def limited(rules: str) -> Overrides:
    """The bench key with these limits (far above what the bench sends), in memory."""

    def settings(scratch: Path) -> dict[str, Any]:
        digest = hashlib.sha256(KEY.encode()).hexdigest()
        config = scratch / "gateway.toml"
        config.write_text(f'[[keys]]\nname = "bench"\nsha256 = "{digest}"\n{rules}\n')
        return {"config_file": config, "api_keys": []}

    return settings


VARIANTS: dict[str, Variant] = {
    "all-on": Variant(
        "everything on (as `serve`, the dashboard too)",
        lambda _scratch: {"admin_token": ADMIN_TOKEN},
    ),
    "no-auth": Variant(
        "auth off (GATEWAY_AUTH_DISABLED on loopback)", lambda _scratch: {"auth_disabled": True}
    ),
    "no-access-log": Variant(
        "access log off (log level warning)", lambda _scratch: {"log_level": "warning"}
    ),
    "no-metrics": Variant("metrics off (patched out)", patched(metrics_off)),
    "no-ledger": Variant("ledger off: rows noted nowhere (patched out)", patched(ledger_off)),
    "no-request-validation": Variant(
        "request schema validation off (patched out)", patched(request_validation_off)
    ),
    "no-answer-checks": Variant("answer conformance off (patched out)", patched(answer_checks_off)),
    "limits-tokens": Variant(
        "limits on: the key has tpm and max_parallel (config file)",
        limited("tpm = 1000000000000\nmax_parallel = 100000"),
        switches_on=True,
    ),
    # A moving window keeps each request's time for a minute: at this bench's rate, ~60,000.
    "limits-rpm": Variant(
        "limits on: the key has rpm, its minute holding ~60,000 requests",
        limited("rpm = 1000000000"),
        switches_on=True,
    ),
    "budgets-redis": Variant(
        "budgets on: the key has credits_per_day, counted in Redis",
        limited("credits_per_day = 1000000000"),
        switches_on=True,
        redis=True,
    ),
    "httpx-transport": Variant(
        "upstream transport httpx's own pool, not aiohttp's",
        lambda _scratch: {"upstream_transport": "httpx"},
        switches_on=True,
    ),
}


def serve(name: str, port: int, scratch: Path) -> None:
    import uvicorn

    from . import internals

    settings = internals.settings(port=port, **VARIANTS[name].overrides(scratch))
    internals.prepare_process(settings)
    uvicorn.run(internals.build(settings), **internals.uvicorn_options(settings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=sorted(VARIANTS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scratch", type=Path, required=True, help="a directory to write in")
    arguments = parser.parse_args()
    serve(arguments.variant, arguments.port, arguments.scratch)


if __name__ == "__main__":
    main()
