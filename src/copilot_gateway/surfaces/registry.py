"""The API surfaces the gateway serves, and which one a request belongs to."""

from __future__ import annotations

from .anthropic.surface import ANTHROPIC
from .base import Surface
from .openai.surface import OPENAI

SURFACES: tuple[Surface, ...] = (OPENAI, ANTHROPIC)
# Requests no surface claims (an unknown URL, a request that is not HTTP) are answered in
# OpenAI's shape: most clients of a gateway like this one speak it.
DEFAULT = OPENAI


def surface_for_path(path: str) -> Surface:
    for surface in SURFACES:
        if surface.path_prefixes and path.startswith(surface.path_prefixes):
            return surface
    return DEFAULT
