"""An offline, deterministic server speaking Copilot's wire protocol.

GitHub's side (device-flow login, the token exchange at `GET /copilot_internal/v2/token`
with `Authorization: token ...`, the account's quota) and Copilot's API (`/models`,
`/chat/completions`, `/embeddings`, `/responses`, `/v1/messages`, with `Authorization:
Bearer <copilot token>`), with Copilot's header checks and its error bodies (JSON sent as
text/plain). It is the upstream of every test and the far end of every benchmark.

This module only puts the emulator together: each endpoint lives in its own module, and
what they share (the gate every API call passes, the stream sender, the wire formats) in
modules of its own. The emulator imports nothing of the gateway, so that no bug can sit on
both sides of a test.
"""

from __future__ import annotations

import copy
import time

from starlette.applications import Starlette

from . import chat, count_tokens, embeddings, messages, responses
from .gate import account_of_github_token
from .github import GitHub
from .quota import WINDOWS, Window
from .state import EmulatorConfig, EmulatorState


class CopilotEmulator:
    """One emulated Copilot: `app` is the ASGI app to serve, `config` how it behaves,
    `state` what it has done and the faults it serves next."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self._built_with = copy.deepcopy(self.config)
        self.state = EmulatorState()
        self._github = GitHub(self)
        self.app = Starlette(
            routes=[
                *self._github.routes(),
                *chat.routes(self),
                *embeddings.routes(self),
                *count_tokens.routes(self),
                *messages.routes(self),
                *responses.routes(self),
            ]
        )

    def reset(self) -> None:
        """Back to fresh (as built), for one emulator serving test after test: no faults,
        nothing seen, nothing counted. Copilot tokens within their lifetime are valid again
        (even one a test expired), so a gateway holding one keeps working; streams still
        being sent keep being counted."""
        self.config = copy.deepcopy(self._built_with)
        self.state = EmulatorState(
            issued=self._github.unexpired_tokens(), open_streams=self.state.open_streams
        )

    def put_near_limit(self, github_token: str, window: str, credits_left: float) -> None:
        """Leave the account of `github_token` with `credits_left` in `window`: "session",
        "weekly" or "credits" (the month's; for a legacy seat, its premium requests). The
        next call is served while anything is left, and the call after the one that spends
        it is refused."""
        budget = self._window(github_token, window)
        budget.used = max(budget.budget - credits_left, 0.0)

    def end_window(self, github_token: str, window: str) -> None:
        """The window starts again now, as if its reset time had passed."""
        self._window(github_token, window).end(time.time())

    def _window(self, github_token: str, window: str) -> Window:
        if window not in WINDOWS:
            raise ValueError(f"window must be one of {', '.join(WINDOWS)}, not {window!r}")
        account = account_of_github_token(self, github_token)
        account.roll()
        return account.windows()[window]
