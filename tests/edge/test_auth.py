from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import SecretStr

from copilot_gateway.access.keys import AuthRefused, KeyRing, auth_required
from copilot_gateway.app import create_app
from copilot_gateway.gateway import Gateway
from copilot_gateway.settings import Settings
from copilot_gateway.upstream_from_settings import build_upstream


def ring(*keys: str) -> KeyRing:
    return KeyRing([SecretStr(key) for key in keys])


def test_key_ring_accepts_only_its_keys_and_names_them_by_position() -> None:
    keys = ring("sk-one", "sk-two")
    assert keys.check("sk-two") == {"sub": "key-2"}
    assert keys.check("sk-three") is None
    assert keys.check("") is None
    assert keys.check("sk-one ") is None


def test_key_ring_never_holds_keys_in_clear() -> None:
    keys = ring("sk-secret-value")
    assert "sk-secret-value" not in repr(vars(keys))


def test_keys_mean_auth() -> None:
    assert auth_required(ring("k"), disabled=False, forced=False, loopback=False) == (True, None)


def test_no_keys_on_loopback_serves_without_auth_and_warns() -> None:
    enabled, warning = auth_required(ring(), disabled=False, forced=False, loopback=True)
    assert not enabled and warning and "OFF" in warning


def test_no_keys_elsewhere_refuses() -> None:
    with pytest.raises(AuthRefused, match="GATEWAY_API_KEYS"):
        auth_required(ring(), disabled=False, forced=False, loopback=False)


def test_disabled_auth_elsewhere_needs_force() -> None:
    with pytest.raises(AuthRefused, match="FORCE"):
        auth_required(ring("k"), disabled=True, forced=False, loopback=False)
    enabled, warning = auth_required(ring("k"), disabled=True, forced=True, loopback=False)
    assert not enabled and warning


class CountingKeyRing(KeyRing):
    """A real key ring that counts how often a key is hashed and compared."""

    checks = 0

    def check(self, token: str) -> dict[str, str] | None:
        self.checks += 1
        return super().check(token)


async def get(keys: KeyRing, path: str, headers: dict[str, str]) -> httpx.Response:
    """One request to the app served with these keys (the in-process emulator upstream)."""
    settings = Settings(upstream="emulator", api_keys="sk-one")  # type: ignore[call-arg]
    upstream, description = build_upstream(settings)
    app = create_app(Gateway(settings, upstream, description), keys)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            return await client.get(path, headers=headers)
    finally:
        await upstream.aclose()


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/v1/models", {"Authorization": "Bearer sk-one"}, 200),
        ("/v1/models", {"Authorization": "Bearer sk-wrong"}, 401),
        ("/v1/no-such-path", {"Authorization": "Bearer sk-wrong"}, 401),
        # Valid, but where this operation's scheme does not look: the gate lets it through,
        # connexion's security check (on the gate's result) refuses it.
        ("/v1/models", {"x-api-key": "sk-one"}, 401),
    ],
)
def test_a_request_s_key_is_checked_once(path: str, headers: dict[str, str], status: int) -> None:
    keys = CountingKeyRing([SecretStr("sk-one")])
    response = asyncio.run(get(keys, path, headers))
    assert response.status_code == status
    assert keys.checks == 1


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("/v1/models", "send 'Authorization: Bearer <key>'."),
        ("/v1/messages", "send 'x-api-key: <key>' (or 'Authorization: Bearer <key>')."),
    ],
)
def test_a_refused_key_is_told_where_its_surface_takes_keys(path: str, hint: str) -> None:
    response = asyncio.run(get(KeyRing([SecretStr("sk-one")]), path, {"x-api-key": "sk-no"}))
    assert response.status_code == 401
    body = response.json()
    message = body["error"]["message"]
    assert message == f"Missing or invalid API key: {hint}"
    # In the surface's own shape: Anthropic's carries a type at the top.
    assert ("type" in body) == path.startswith("/v1/messages")
