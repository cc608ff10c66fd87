"""The API surfaces the gateway serves, and which one a request belongs to."""

from __future__ import annotations

from .admin.surface import ADMIN
from .anthropic.surface import ANTHROPIC
from .base import Surface
from .openai.surface import OPENAI

# The clients' surfaces: their keys are client keys.
SURFACES: tuple[Surface, ...] = (OPENAI, ANTHROPIC)
# The operator's: served only with GATEWAY_ADMIN_TOKEN, which is its key.
OPERATOR_SURFACES: tuple[Surface, ...] = (ADMIN,)
# Requests no surface claims (an unknown URL, a request that is not HTTP) are answered in
# OpenAI's shape: most clients of a gateway like this one speak it.
DEFAULT = OPENAI


def surface_for_path(path: str) -> Surface:
    for surface in SURFACES + OPERATOR_SURFACES:
        if surface.path_prefixes and path.startswith(surface.path_prefixes):
            return surface
    return DEFAULT
