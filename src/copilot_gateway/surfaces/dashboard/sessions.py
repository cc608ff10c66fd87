"""The dashboard's sessions: a login with the admin token gives a session cookie, which is
not the token but a random id, its expiry and their signature under a key derived from the
token (so every replica with the same token accepts it, and a new token ends every session).
Each form carries a CSRF token bound to its session (or, for the login form, to a login
cookie of its own); wrong logins are counted per peer address and, past a few a minute,
refused with 429 and `retry-after` until the oldest is a minute old.

Logout forgets the session in this process: another replica accepts a copied cookie until it
expires (`SESSION_SECONDS`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

SESSION_COOKIE = "cg_dashboard"
LOGIN_COOKIE = "cg_dashboard_login"
SESSION_SECONDS = 12 * 3600
LOGIN_SECONDS = 3600
WRONG_LOGINS_ALLOWED = 5  # within WRONG_LOGIN_WINDOW seconds, from one peer
WRONG_LOGIN_WINDOW = 60.0
PEERS_REMEMBERED = 10_000  # wrong logins are forgotten first for the peers seen longest ago


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


@dataclass
class WrongLogins:
    """Wrong logins per peer, in a sliding window."""

    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, peer: str) -> int | None:
        """Seconds until this peer may try again; None if it may now."""
        if peer not in self._seen:
            return None
        times = self._recent(peer)
        if len(times) < WRONG_LOGINS_ALLOWED:
            return None
        return max(1, math.ceil(times[0] + WRONG_LOGIN_WINDOW - self.clock()))

    def wrong(self, peer: str) -> None:
        times = self._recent(peer)
        times.append(self.clock())
        self._seen[peer] = self._seen.pop(peer)  # the most recently seen, last
        while len(self._seen) > PEERS_REMEMBERED:
            del self._seen[next(iter(self._seen))]

    def _recent(self, peer: str) -> deque[float]:
        times = self._seen.setdefault(peer, deque())
        while times and times[0] <= self.clock() - WRONG_LOGIN_WINDOW:
            times.popleft()
        return times
