"""The built-in Copilot emulator."""

from .app import CopilotEmulator, EmulatorConfig

__all__ = ["CopilotEmulator", "EmulatorConfig"]
