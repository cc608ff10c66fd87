"""The dashboard's sessions: a login with the admin token gives a session cookie, which is
not the token but a random id, its expiry and their signature under a key derived from the
token (so every replica with the same token accepts it, and a new token ends every session).
Each form carries a CSRF token bound to its session (or, for the login form, to a login
cookie of its own). Wrong logins are counted with the admin API's wrong tokens
(`access.wrong_tokens`).

A login always starts a new session (a session id sent before it is never the one after),
and a logout is written to the database, so every process refuses the session from then on.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SESSION_COOKIE = "cg_dashboard"
LOGIN_COOKIE = "cg_dashboard_login"
SESSION_SECONDS = 12 * 3600
LOGIN_SECONDS = 3600


def _sign(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass
class Sessions:
    """Sessions signed under a key derived from the admin token."""

    token: str
    clock: Callable[[], float] = time.time
    _key: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._key = hashlib.sha256(b"copilot-gateway dashboard\0" + self.token.encode()).digest()

    def is_token(self, sent: str) -> bool:
        """Whether a login sent the admin token (in constant time)."""
        digest = hashlib.sha256(sent.encode("utf-8", "surrogatepass")).digest()
        return hmac.compare_digest(digest, hashlib.sha256(self.token.encode()).digest())

    def start(self) -> str:
        """A new session's cookie value."""
        session_id = secrets.token_urlsafe(18)
        value = f"{session_id}.{int(self.clock()) + SESSION_SECONDS}"
        return f"{value}.{_sign(self._key, 'session', value)}"

    def session_of(self, cookie: str | None) -> tuple[str, int] | None:
        """The session id and expiry of a validly signed, unexpired cookie value; else None
        (whether it was logged out is the database's to say: `state.dashboard_logouts`)."""
        if not cookie:
            return None
        value, _, signature = cookie.rpartition(".")
        session_id, _, expiry = value.partition(".")
        if not same(signature, _sign(self._key, "session", value)) or not expiry.isdigit():
            return None
        if int(expiry) <= self.clock():
            return None
        return session_id, int(expiry)

    def csrf(self, binding: str) -> str:
        """The CSRF token of a session id, or of a login cookie's value."""
        return _sign(self._key, "csrf", binding)

    def csrf_ok(self, binding: str | None, sent: str | None) -> bool:
        return bool(binding) and bool(sent) and same(str(sent), self.csrf(str(binding)))
