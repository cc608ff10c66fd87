"""uvicorn's HTTP/1.1 protocol, answering what its parser rejects as an API error.

A request that is not valid HTTP (a bare CR or LF in a header, say) never reaches the app:
uvicorn answers it with a plain-text 400 of its own. This protocol keeps everything of
uvicorn's but that answer's body, so even then a client gets an error object, in the
default surface's shape (no path is known to choose another).
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from ..errors import InvalidRequest
from ..surfaces.registry import DEFAULT


class ApiErrorsHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        error = InvalidRequest(f"The request is not valid HTTP/1.1: {msg}", code="invalid_http")
        body = orjson.dumps(DEFAULT.error_body(error))
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
