"""The floor: the smallest connexion AsyncApp that serves `POST /v1/chat/completions` by
passing the body to the upstream, with none of the gateway's features.

The same stack as the gateway (connexion AsyncApp on uvicorn with the gateway's
`uvicorn_options`, the gateway's pooled upstream client: httpx on aiohttp's transport,
orjson) and nothing else: a `{"type": "object"}` body, no security, no answer checks, no
logs, no metrics. What the gateway costs beyond it is what its features cost.

    python scripts/bench_floor.py --upstream http://127.0.0.1:9901 --port 9902
"""

from __future__ import annotations

import argparse
from typing import Any

import orjson
import uvicorn
from connexion import AsyncApp
from connexion.resolver import Resolver
from starlette.responses import Response

from copilot_gateway.app import uvicorn_options
from copilot_gateway.settings import Settings
from copilot_gateway.upstreams.client import make_client

OBJECT = {"type": "object"}
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "floor", "version": "1"},
    "paths": {
        "/v1/chat/completions": {
            "post": {
                "operationId": "createChatCompletion",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": OBJECT}},
                },
                "responses": {
                    "200": {
                        "description": "the upstream's answer",
                        "content": {"application/json": {"schema": OBJECT}},
                    }
                },
            }
        }
    },
}


def floor_app(upstream: str, settings: Settings) -> AsyncApp:
    client = make_client(settings)
    url = upstream.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}

    async def create(body: dict[str, Any]) -> Response:
        request = client.build_request("POST", url, content=orjson.dumps(body), headers=headers)
        answer = await client.send(request)
        return Response(orjson.dumps(orjson.loads(answer.content)), media_type="application/json")

    app = AsyncApp(__name__)
    app.add_api(SPEC, resolver=Resolver(function_resolver=lambda _id: create))
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the upstream's base URL")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    settings = Settings(port=arguments.port, log_level="warning")
    uvicorn.run(floor_app(arguments.upstream, settings), **uvicorn_options(settings))


if __name__ == "__main__":
    main()
