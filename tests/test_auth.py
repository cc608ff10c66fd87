from __future__ import annotations

import pytest
from pydantic import SecretStr

from copilot_gateway.access.keys import AuthRefused, KeyRing, auth_required


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
