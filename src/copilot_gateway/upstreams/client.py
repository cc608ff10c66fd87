"""What every HTTP upstream shares: the pooled client, the one send path (metrics, retries,
the status noted for the request), and upstream answers and failures as our errors.
Streamed answers are read by `sse`."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
from httpx_aiohttp import AiohttpTransport

from ..errors import (
    ContextTooLong,
    GatewayError,
    RateLimited,
    UpstreamError,
    UpstreamFailed,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from ..observability.metrics import count_upstream_error, observe_upstream
from ..settings import Settings
from .base import AnswerReader, CallRecord, Json
from .retry import RetryPolicy, send_retrying

NO_RETRY = RetryPolicy()

log = logging.getLogger(__name__)

PASSED_ON_HEADERS = ("retry-after", "x-ratelimit-exceeded")


class UpstreamClient:
    """httpx's requests and responses over one pooled transport.

    httpx's `AsyncClient` does per request what a gateway never uses: it parses and merges
    URLs, merges headers, runs the cookie jar (through urllib), and the auth and redirect
    flows. That cost as much as the aiohttp transport beneath it, so requests go straight
    to the transport here, with their URLs parsed once and the timeouts set once.
    """

    def __init__(self, transport: httpx.AsyncBaseTransport, timeout: httpx.Timeout) -> None:
        self._transport = transport
        self._timeouts = timeout.as_dict()

    def build_request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Request:
        parsed, host = parsed_url(url)
        extensions = {"timeout": self._timeouts}
        if content is None:
            return httpx.Request(method, parsed, headers=headers, extensions=extensions)
        # Given whole, with its length and host: httpx's own preparation of a body costs more
        # (header by header, through its case-insensitive mapping) than the request's send.
        headers = {**(headers or {}), "Host": host, "Content-Length": str(len(content))}
        request = httpx.Request(
            method, parsed, headers=headers, stream=httpx.ByteStream(content), extensions=extensions
        )
        request.read()  # its content is known: the transport sends it as bytes, not chunked
        return request

    async def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """The answer; read and closed unless `stream` (then the caller closes it)."""
        response = await self._transport.handle_async_request(request)
        response.request = request
        if not stream:
            try:
                await response.aread()
            finally:
                await response.aclose()
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()


@functools.lru_cache(maxsize=1024)
def parsed_url(url: str) -> tuple[httpx.URL, str]:
    """An upstream URL, parsed once (an upstream has a handful), and its Host header."""
    parsed = httpx.URL(url)
    return parsed, parsed.netloc.decode("ascii")


def make_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> UpstreamClient:
    """One pooled client per upstream.

    httpx's own pool slows down sharply under concurrency; aiohttp's does not, so the
    network transport is aiohttp's behind httpx's API. `transport` replaces it (the
    in-process emulator uses httpx's ASGI transport).
    """
    # Idle connections are let go after 4 s: before the 5 s after which many servers (uvicorn,
    # Node) close theirs, so a request never races the server closing its connection.
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200, keepalive_expiry=4)
    if transport is None:
        pooled = (
            AiohttpTransport
            if settings.upstream_transport == "aiohttp"
            else httpx.AsyncHTTPTransport
        )
        transport = pooled(limits=limits)
    return UpstreamClient(
        transport, httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    )


@contextlib.contextmanager
def upstream_errors() -> Iterator[None]:
    """Network failures as gateway errors: timeouts 504, the rest 502."""
    try:
        yield
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as exc:
        count_upstream_error("timeout")
        raise UpstreamTimeout("The upstream did not answer in time.") from exc
    except httpx.TransportError as exc:
        count_upstream_error("connection")
        log.warning("upstream transport error: %r", exc)
        raise UpstreamFailed("Could not reach the upstream, or it closed the connection.") from exc


def lenient_json(raw: bytes) -> Any:
    """Upstreams send JSON as text/plain too: try to parse whatever came."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


# OpenAI's words for a prompt over the context window (and this gateway's, when it is the
# upstream of another): the limit, then the count.
OPENAI_OVER_LIMIT = re.compile(
    r"maximum (?:context|prompt) length is (\d+) tokens.*?"
    r"(?:resulted in|requested|came to about) (\d+)",
    re.S,
)


def context_too_long(message: str, param: str | None) -> ContextTooLong:
    """An OpenAI-compatible server's `context_length_exceeded`, with its numbers where it
    gave them (for the surfaces that say them in their own words)."""
    found = OPENAI_OVER_LIMIT.search(message)
    limit, prompt = (int(found[1]), int(found[2])) if found else (None, None)
    return ContextTooLong(message, prompt_tokens=prompt, limit=limit, param=param)


def error_from_response(status: int, headers: httpx.Headers, raw: bytes) -> GatewayError:
    """An upstream's error reply as ours: 4xx keep message and code, 5xx become 502/503."""
    count_upstream_error(f"status_{status}")
    body = lenient_json(raw)
    detail = body.get("error", body) if isinstance(body, dict) else {}
    if not isinstance(detail, dict):
        detail = {"message": str(detail)}
    message = str(detail.get("message") or raw.decode("utf-8", "replace").strip()[:500])
    message = message or f"The upstream answered {status}."
    code = detail.get("code") if isinstance(detail.get("code"), str) else None
    param = detail.get("param") if isinstance(detail.get("param"), str) else None
    passed_on = {name: headers[name] for name in PASSED_ON_HEADERS if name in headers}
    if status == 429:
        return RateLimited(message, code=code or "rate_limit_exceeded", headers=passed_on)
    if status in (401, 407):
        # The client's key was fine; the gateway's own upstream credentials were not.
        return UpstreamFailed(
            f"The upstream rejected the gateway's credentials: {message}",
            code="upstream_authentication_failed",
        )
    if status == 503:
        return UpstreamUnavailable(f"The upstream is unavailable: {message}", headers=passed_on)
    if status >= 500 or status < 400:
        return UpstreamFailed(f"The upstream failed with status {status}: {message}")
    if status == 400 and code == "context_length_exceeded":
        return context_too_long(message, param)
    return UpstreamError(message, status=status, code=code, param=param, headers=passed_on)


def json_request(
    client: UpstreamClient, method: str, url: str, body: Json | None, headers: dict[str, str]
) -> httpx.Request:
    """A request with an orjson-encoded body (httpx's own `json=` uses the slow stdlib)."""
    if body is None:
        return client.build_request(method, url, headers=headers)
    headers = {**headers, "Content-Type": "application/json"}
    return client.build_request(method, url, content=orjson.dumps(body), headers=headers)


def parse_ok_json(response: httpx.Response, read: AnswerReader | None = None) -> Json:
    """A successful upstream answer's JSON object (as `read` reads it, else in full), or 502."""
    body = (read or lenient_json)(response.content)
    if not isinstance(body, dict):
        count_upstream_error("malformed_answer")
        raise UpstreamFailed("The upstream sent an answer that is not a JSON object.")
    return body


def ok_json(response: httpx.Response, read: AnswerReader | None = None) -> Json:
    """A read answer's JSON object (see `parse_ok_json`); an error status raises as our error."""
    if response.status_code >= 300:
        raise error_from_response(response.status_code, response.headers, response.content)
    return parse_ok_json(response, read)


async def ok_stream(response: httpx.Response) -> httpx.Response:
    """A streamed answer, ready to read; an error status is read, closed and raised."""
    if response.status_code >= 300:
        with upstream_errors():
            raw = await response.aread()
            await response.aclose()
        raise error_from_response(response.status_code, response.headers, raw)
    return response


async def send(
    client: UpstreamClient,
    request: httpx.Request,
    stream: bool = False,
    policy: RetryPolicy = NO_RETRY,
    record: CallRecord | None = None,
) -> httpx.Response:
    """The one way a request goes upstream: timed, retried as `policy` says, its failures
    our errors, and each answer's status noted in the `record` of the request it serves."""

    async def attempt() -> httpx.Response:
        started = time.perf_counter()
        response = await client.send(request, stream=stream)
        observe_upstream(request.url.path, time.perf_counter() - started)
        if record is not None:
            record.upstream_status = response.status_code
        return response

    with upstream_errors():
        return await send_retrying(attempt, policy)


async def request_json(
    client: UpstreamClient,
    request: httpx.Request,
    policy: RetryPolicy = NO_RETRY,
    record: CallRecord | None = None,
    read: AnswerReader | None = None,
) -> Json:
    return ok_json(await send(client, request, policy=policy, record=record), read)


async def open_stream(
    client: UpstreamClient,
    request: httpx.Request,
    policy: RetryPolicy = NO_RETRY,
    record: CallRecord | None = None,
) -> httpx.Response:
    """Send a streamed request; an error status is read, closed and raised."""
    response = await send(client, request, stream=True, policy=policy, record=record)
    return await ok_stream(response)
