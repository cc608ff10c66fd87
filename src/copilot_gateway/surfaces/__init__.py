"""The API surfaces: each with its spec document, handlers, error shape and SSE framing."""
