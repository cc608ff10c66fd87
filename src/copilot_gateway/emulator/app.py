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

from starlette.applications import Starlette

from . import chat, embeddings, messages, responses
from .github import GitHub
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
