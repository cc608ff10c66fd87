"""Client keys: which are valid (compared in constant time), and whether keys are needed."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from pydantic import SecretStr

from .rules import KeyEntry

TokenInfo = dict[str, str]


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class KeyRing:
    """The keys clients may present, compared in constant time and never stored in clear.

    Keys from GATEWAY_API_KEYS are named `key-1`, `key-2`...; keys from the config file are
    given as SHA-256 digests, with names of their own.
    """

    def __init__(self, keys: Sequence[SecretStr], hashed: Sequence[KeyEntry] = ()) -> None:
        # Digests have one length, so the comparison time says nothing about a key's length.
        self._entries = [
            (f"key-{n}", _digest(key.get_secret_value())) for n, key in enumerate(keys, 1)
        ]
        self._entries += [(entry.name, bytes.fromhex(entry.sha256)) for entry in hashed]

    def __len__(self) -> int:
        return len(self._entries)

    def check(self, token: str) -> TokenInfo | None:
        """Token info for a valid key (its name, never the key), else None."""
        presented = _digest(token)
        match = None
        for name, digest in self._entries:
            # Compare against every key: the time taken does not depend on which one matched.
            if hmac.compare_digest(presented, digest):
                match = name
        return None if match is None else {"sub": match}


class AuthRefused(Exception):
    """Serving without auth where that is not allowed."""


def auth_required(
    keys: KeyRing, disabled: bool, forced: bool, loopback: bool
) -> tuple[bool, str | None]:
    """Whether clients must present a key, and a warning to print if they need not.

    No auth is allowed on loopback; elsewhere only when explicitly disabled and forced.
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
    if not len(keys):
        if not loopback:
            raise AuthRefused(
                "No client keys: set GATEWAY_API_KEYS (comma-separated) before serving on a "
                "non-loopback host."
            )
        return False, (
            "No GATEWAY_API_KEYS set: authentication is OFF. Fine on loopback for development; "
            "set GATEWAY_API_KEYS before sharing this gateway."
        )
    return True, None
