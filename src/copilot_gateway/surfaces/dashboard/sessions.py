"""The dashboard's sessions: a login with the admin token gives a session cookie, which is
not the token but a random id, its expiry and their signature under a key derived from the
token (so every replica with the same token accepts it, and a new token ends every session).
Each form carries a CSRF token bound to its session (or, for the login form, to a login
cookie of its own). Wrong logins are counted with the admin API's wrong tokens
(`access.wrong_tokens`).

Logout forgets the session in this process: another replica accepts a copied cookie until it
expires (`SESSION_SECONDS`).
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
    _ended: dict[str, float] = field(init=False, default_factory=dict)  # id -> its expiry

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

    def session_of(self, cookie: str | None) -> str | None:
        """The session id of a valid, unexpired, not ended cookie value; else None."""
        if not cookie:
            return None
        value, _, signature = cookie.rpartition(".")
        session_id, _, expiry = value.partition(".")
        if not same(signature, _sign(self._key, "session", value)) or not expiry.isdigit():
            return None
        if int(expiry) <= self.clock() or session_id in self._ended:
            return None
        return session_id

    def end(self, cookie: str | None) -> None:
        """Logout: the session is refused from now on (by this process)."""
        now = self.clock()
        self._ended = {ended: until for ended, until in self._ended.items() if until > now}
        if (session_id := self.session_of(cookie)) is not None:
            self._ended[session_id] = now + SESSION_SECONDS

    def csrf(self, binding: str) -> str:
        """The CSRF token of a session id, or of a login cookie's value."""
        return _sign(self._key, "csrf", binding)

    def csrf_ok(self, binding: str | None, sent: str | None) -> bool:
        return bool(binding) and bool(sent) and same(str(sent), self.csrf(str(binding)))
