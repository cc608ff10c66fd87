"""Prometheus metrics, and `GET /metrics` to scrape them.

With `serve --workers N` every worker process writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (set by `serve` before the workers start) and a scrape of any
worker reads them all: prometheus-client's multi-process mode.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import Response

from ..errors import AuthenticationFailed
from .record import RequestRecord

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# From a quick model list to a long generation.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

REQUESTS = Counter(
    "gateway_requests",
    "Requests answered, by operation, HTTP status and model.",
    ["operation", "status", "model"],
)
REQUEST_SECONDS = Histogram(
    "gateway_request_duration_seconds",
    "Time from request to the end of its response (the end of the stream for streams).",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
UPSTREAM_SECONDS = Histogram(
    "gateway_upstream_duration_seconds",
    "Time from sending an upstream request to its response headers, per attempt.",
    ["endpoint"],
    buckets=LATENCY_BUCKETS,
)
UPSTREAM_ERRORS = Counter(
    "gateway_upstream_errors",
    "Upstream failures, by kind (timeout, connection, status_5xx, stream_cut, ...).",
    ["kind"],
)
RESPONSES_HELD = Gauge(
    "gateway_responses_held",
    "Stored responses held in memory until the database answers again.",
    multiprocess_mode="livesum",
)
RESPONSES_DROPPED = Counter(
    "gateway_responses_dropped",
    "Stored responses never written: more were held than the bound while the database "
    "could not be reached, or it could not be reached at shutdown.",
)
COMPLETIONS_HELD = Gauge(
    "gateway_completions_held",
    "Stored chat completions held in memory until the database answers again.",
    multiprocess_mode="livesum",
)
COMPLETIONS_DROPPED = Counter(
    "gateway_completions_dropped",
    "Stored chat completions never written: more were held than the bound while the "
    "database could not be reached, or it could not be reached at shutdown.",
)
LEDGER_ROWS_WRITTEN = Counter(
    "gateway_ledger_rows_written", "Ledger rows committed to the state's database."
)
LEDGER_ROWS_BUFFERED = Gauge(
    "gateway_ledger_rows_buffered",
    "Ledger rows noted and not yet committed (waiting for the next flush, or the database).",
    multiprocess_mode="livesum",
)
LEDGER_ROWS_DROPPED = Counter(
    "gateway_ledger_rows_dropped",
    "Ledger rows never written: the buffer was full (the database unreachable too long), "
    "the database refused their batch, or it was unreachable at shutdown.",
)
STATE_DATABASE_ERRORS = Counter(
    "gateway_state_database_errors",
    "Writes to the state's database that failed (what they held was kept in the process and "
    "tried again), by store (ledger, responses, completions) and reason (locked: another "
    "process holds the SQLite file; disk_full; unreachable: any other).",
    ["store", "reason"],
)
STREAMS_OPEN = Gauge(
    "gateway_streams_open", "Streams being relayed now.", multiprocess_mode="livesum"
)
CONNECTIONS_OPEN = Gauge(
    "gateway_connections_open",
    "Client connections open now (HTTP and WebSocket), under GATEWAY_MAX_CONNECTIONS.",
    multiprocess_mode="livesum",
)
QUOTA = Gauge(
    "gateway_copilot_quota",
    "Copilot's quota as its latest answer reported it, by account, quota and field "
    "(entitlement, percent_remaining, overage, total_remaining, reset_timestamp_seconds).",
    ["account", "quota", "field"],
    multiprocess_mode="mostrecent",
)
WINDOW = Gauge(
    "gateway_copilot_window",
    "Copilot's usage windows as its latest answer reported them, by account, window "
    "(session: the 5 hours; weekly) and field (percent_remaining, reset_timestamp_seconds).",
    ["account", "window", "field"],
    multiprocess_mode="mostrecent",
)
PREMIUM_REQUESTS = Counter(
    "gateway_copilot_premium_requests",
    "Premium requests spent (user-initiated calls times the model's billing multiplier).",
    ["account", "model"],
)
ACCOUNT_EVENTS = Counter(
    "gateway_copilot_account_events",
    "Per Copilot account: requests served, errors, failovers to it, cool-downs.",
    ["account", "event"],
)
TOKENS = Counter(
    "gateway_tokens",
    "Tokens used, by model, client key name and type (prompt or completion).",
    ["model", "key", "type"],
)
CREDITS = Counter(
    "gateway_credits",
    "AI Credits spent (1 credit = $0.01), by upstream account, client key name and model: "
    "as the upstream billed them, else priced from the tokens used.",
    ["account", "key", "model"],
)
LIMITED = Counter(
    "gateway_limited_requests",
    "Requests refused by a per-key limit, by key name and limit (rpm, tpm, max_parallel, "
    "tokens_per_day).",
    ["key", "limit"],
)
REDIS_ERRORS = Counter(
    "gateway_redis_errors",
    "Calls to the limits' Redis that failed or timed out (requests were then served without "
    "limits), by operation.",
    ["operation"],
)


def observe_request(record: RequestRecord, seconds: float) -> None:
    operation = record.operation or "unmatched"
    model = record.model or ""
    REQUESTS.labels(operation, str(record.status or 0), model).inc()
    REQUEST_SECONDS.labels(operation).observe(seconds)
    key = record.key_name or ""
    if record.prompt_tokens:
        TOKENS.labels(model, key, "prompt").inc(record.prompt_tokens)
    if record.completion_tokens:
        TOKENS.labels(model, key, "completion").inc(record.completion_tokens)
    if (credits := record.credits()) is not None:
        CREDITS.labels(record.account or "", key, model).inc(credits)


def observe_upstream(endpoint: str, seconds: float) -> None:
    UPSTREAM_SECONDS.labels(endpoint).observe(seconds)


def count_upstream_error(kind: str) -> None:
    UPSTREAM_ERRORS.labels(kind).inc()


def count_limited(key: str, limit: str) -> None:
    LIMITED.labels(key, limit).inc()


def count_redis_error(operation: str) -> None:
    REDIS_ERRORS.labels(operation).inc()


def exposition() -> bytes:
    """Every metric in Prometheus' text format, gathered from all workers if there are."""
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def forget_this_process() -> None:
    """A worker leaving: its open-streams gauge must not count any more."""
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


Endpoint = Callable[[Request], Awaitable[Response]]


def behind_operator_token(token: SecretStr | None, endpoint: Endpoint) -> Endpoint:
    """An operator's endpoint (metrics, quota), behind the metrics token when one is set."""
    expected = f"Bearer {token.get_secret_value()}".encode() if token else None

    async def guarded(request: Request) -> Response:
        if expected is not None:
            sent = request.headers.get("authorization", "").encode("latin-1")
            if not hmac.compare_digest(sent, expected):
                raise AuthenticationFailed(
                    "Missing or invalid metrics token: send 'Authorization: Bearer <token>'.",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return await endpoint(request)

    return guarded


def metrics_endpoint(token: SecretStr | None) -> Endpoint:
    """`GET /metrics`, behind its own bearer token when one is configured."""

    async def metrics(request: Request) -> Response:
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return behind_operator_token(token, metrics)
