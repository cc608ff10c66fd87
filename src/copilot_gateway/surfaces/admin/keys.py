"""The admin API's keys: thin handlers over `access.key_admin`. After a change this
process reads its keys at once; the others within their next refresh."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ...call import Call, json_response


def _answer(call: Call, schema_name: str, body: Any, status: int = 200) -> Response:
    response = json_response(call.conforming(schema_name, body), status)
    call.answer_checked = True
    return response


async def listKeys(call: Call) -> Response:
    keys = await call.gateway.key_admin.list()
    return _answer(call, "KeyList", {"object": "list", "data": keys})


async def createKey(call: Call) -> Response:
    rules = dict(call.body)
    name = rules.pop("name")
    secret, key = await call.gateway.key_admin.create(name, rules)
    await call.gateway.runtime_keys.refresh()
    return _answer(call, "CreatedKey", {**key, "secret": secret}, 201)


async def getKey(call: Call, name: str) -> Response:
    return _answer(call, "Key", await call.gateway.key_admin.get(name))


async def updateKey(call: Call, name: str) -> Response:
    key = await call.gateway.key_admin.update(name, call.body)
    await call.gateway.runtime_keys.refresh()
    return _answer(call, "Key", key)


async def revokeKey(call: Call, name: str) -> Response:
    key = await call.gateway.key_admin.revoke(name)
    await call.gateway.runtime_keys.refresh()
    return _answer(call, "Key", key)
