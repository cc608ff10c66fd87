"""Client keys: which are valid (compared in constant time), and whether keys are needed."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence

from pydantic import SecretStr

from .rules import KeyEntry

TokenInfo = dict[str, str]


def digest(key: str) -> bytes:
    """A key's SHA-256: what is kept of it, and what a presented key is compared by."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class KeyRing:
    """The keys clients may present, compared in constant time and never stored in clear.

    Keys from GATEWAY_API_KEYS are named `key-1`, `key-2`...; keys from the config file are
    given as SHA-256 digests, with names of their own.
    """

    def __init__(self, keys: Sequence[SecretStr], hashed: Sequence[KeyEntry] = ()) -> None:
        # Digests have one length, so the comparison time says nothing about a key's length.
        self._entries = [
            (f"key-{n}", digest(key.get_secret_value())) for n, key in enumerate(keys, 1)
        ]
        self._entries += [(entry.name, bytes.fromhex(entry.sha256)) for entry in hashed]

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def names(self) -> frozenset[str]:
        """The names its keys go by: no runtime key may take one."""
        return frozenset(name for name, _ in self._entries)

    def check(self, token: str) -> TokenInfo | None:
        """Token info for a valid key (its name, never the key), else None."""
        presented = digest(token)
        match = None
        for name, kept in self._entries:
            # Compare against every key: the time taken does not depend on which one matched.
            if hmac.compare_digest(presented, kept):
                match = name
        return None if match is None else {"sub": match}


class AuthRefused(Exception):
    """Serving without auth where that is not allowed."""


def auth_required(
    keys: KeyRing,
    disabled: bool,
    forced: bool,
    loopback: bool,
    *,
    admin_token: bool = False,
    runtime_keys: Callable[[], int] = lambda: 0,
) -> tuple[bool, str | None]:
    """Whether clients must present a key, and a warning to print if they need not.

    No auth is allowed on loopback; elsewhere only when explicitly disabled and forced. An
    admin token means keys are made at runtime: auth is on, even before the first one is.
    `runtime_keys` counts those in the database now (asked only when nothing else decides).
    """
    if disabled:
        if not loopback and not forced:
            raise AuthRefused(
                "GATEWAY_AUTH_DISABLED=true on a non-loopback host: anyone who can reach it "
                "could use it. Set GATEWAY_AUTH_DISABLED_FORCE=true too if you really mean it."
            )
        return (
            False,
            "Authentication is DISABLED (GATEWAY_AUTH_DISABLED=true): any client may call.",
        )
    if admin_token or len(keys):
        return True, None
    if not runtime_keys():
        if not loopback:
            raise AuthRefused(
                "No client keys: set GATEWAY_API_KEYS (comma-separated), or GATEWAY_ADMIN_TOKEN "
                "to make keys at runtime, before serving on a non-loopback host."
            )
        return False, (
            "No GATEWAY_API_KEYS set: authentication is OFF. Fine on loopback for development; "
            "set GATEWAY_API_KEYS before sharing this gateway (keys made later with "
            "`copilot-gateway keys create` count only once it is restarted)."
        )
    return True, None
