"""`copilot-gateway login`: GitHub's device flow, and the token it yields kept for `serve`.

1. POST {github}/login/device/code -> a user code to type at a URL.
2. Poll POST {github}/login/oauth/access_token every `interval` seconds until the person
   approves (`authorization_pending` meanwhile; `slow_down` asks for 5 s more; the code can
   expire, or the person can decline).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from ...settings import Settings

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_SECONDS = 5


class LoginFailed(Exception):
    """The device flow ended without a token; the message says why and what to do."""


def device_login(
    settings: Settings,
    say: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Run the device flow; returns the GitHub OAuth token."""
    base = settings.github_url.rstrip("/")
    headers = {"Accept": "application/json"}
    with httpx.Client(timeout=30, headers=headers) as client:
        start = client.post(
            f"{base}/login/device/code",
            json={"client_id": settings.github_client_id, "scope": "read:user"},
        )
        if start.status_code != 200:
            raise LoginFailed(
                f"GitHub refused to start the login ({start.status_code}): {start.text[:200]}"
            )
        flow = start.json()
        say(f"Open {flow['verification_uri']} and enter the code {flow['user_code']}")
        say("Waiting for you to approve (Ctrl+C to give up)...")
        interval = float(flow.get("interval", 5))
        deadline = time.monotonic() + float(flow.get("expires_in", 900))
        while time.monotonic() < deadline:
            sleep(interval)
            answer = client.post(
                f"{base}/login/oauth/access_token",
                json={
                    "client_id": settings.github_client_id,
                    "device_code": flow["device_code"],
                    "grant_type": GRANT_TYPE,
                },
            ).json()
            if answer.get("access_token"):
                return str(answer["access_token"])
            error = answer.get("error")
            if error == "authorization_pending":
                say("  still waiting...")
            elif error == "slow_down":
                interval = float(answer.get("interval") or interval + SLOW_DOWN_SECONDS)
            elif error == "expired_token":
                raise LoginFailed("The code expired before it was approved: run login again.")
            elif error == "access_denied":
                raise LoginFailed("The login was declined on GitHub.")
            else:
                raise LoginFailed(f"GitHub answered: {answer.get('error_description') or error}")
    raise LoginFailed("The code expired before it was approved: run login again.")


def store_token(path: Path, token: str) -> None:
    """Keep the token where `serve` looks for it, readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    path.chmod(0o600)  # also when the file existed with wider permissions
