"""Every stream, on every surface, ends as its surface says or with an error event the
client can see: never silently, and never later than the shutdown grace period; and a
stream whose client left ends at once, letting go of its upstream stream."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable

from ..call import Call
from ..errors import GatewayError, InternalError, UpstreamUnavailable
from ..observability.metrics import STREAMS_OPEN

log = logging.getLogger(__name__)


async def guarded(
    call: Call,
    events: AsyncGenerator[bytes],
    error_event: Callable[[GatewayError], bytes] | None = None,
) -> AsyncGenerator[bytes]:
    """Turn a failure after the headers were sent into the surface's error event (or the
    stream's own, `error_event`), then end; and end with one too when the gateway shuts
    down before the stream is done. However it ends, `events` is closed, and with it the
    upstream stream it reads."""
    draining = call.gateway.draining
    try:
        with STREAMS_OPEN.track_inprogress():
            async with asyncio.timeout(None) as deadline:
                draining.track(deadline)
                try:
                    async for chunk in events:
                        yield chunk
                        if call.client_gone:
                            # Starlette cancels the relay when the client leaves, but a
                            # cancellation can miss a task that never waits (a fast upstream
                            # whose bytes are always ready): this check cannot.
                            log.info("client disconnected: the stream is ended")
                            return
                finally:
                    draining.untrack(deadline)
                    await events.aclose()  # the upstream stream, let go of now
    except TimeoutError:
        message = "The gateway is shutting down: the stream was ended before it was complete."
        yield call.stream_failed(
            UpstreamUnavailable(message, code="gateway_shutting_down"), error_event
        )
    except GatewayError as error:
        log.warning("stream failed: %s", error.message)
        yield call.stream_failed(error, error_event)
    except Exception:
        log.exception("stream failed unexpectedly")
        yield call.stream_failed(InternalError("The stream failed unexpectedly."), error_event)
