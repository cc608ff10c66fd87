"""How much the emulator generates for one answer, whatever a schema asks."""

from __future__ import annotations

MAX_NODES = 4096  # values in one instance
MAX_CHARS = 65536  # characters in its strings, all together
MAX_DEPTH = 32  # nesting of objects and arrays
# Past these, optional properties and array items that no minimum asks for are left out.
ROOMY_NODES = 256
ROOMY_DEPTH = 6


class TooLarge(ValueError):
    """The schema asks for more than the emulator generates (see the module's bounds)."""


class Unsatisfiable(ValueError):
    """No instance of (this branch of) the schema could be built."""
