"""The API surfaces the gateway serves, and which one a request belongs to."""

from __future__ import annotations

from .admin.surface import ADMIN
from .anthropic.surface import ANTHROPIC
from .base import Surface
from .gemini.surface import GEMINI
from .openai.surface import OPENAI

# The clients' surfaces: their keys are client keys. Gemini's first: its model methods under
# `/v1/models/` (`:generateContent`, ...) are matched before OpenAI's `/v1/models/{model}`
# can take them for a GET it serves (a 405).
SURFACES: tuple[Surface, ...] = (GEMINI, OPENAI, ANTHROPIC)
# The operator's: served only with GATEWAY_ADMIN_TOKEN, which is its key.
OPERATOR_SURFACES: tuple[Surface, ...] = (ADMIN,)
# Requests no surface claims (an unknown URL, a request that is not HTTP) are answered in
# OpenAI's shape: most clients of a gateway like this one speak it.
DEFAULT = OPENAI


def surface_for_path(path: str) -> Surface:
    for surface in SURFACES + OPERATOR_SURFACES:
        if surface.claims(path):
            return surface
    return DEFAULT
