"""The built-in Copilot emulator."""

from .app import CopilotEmulator, EmulatorConfig, EmulatorState, Fault

__all__ = ["CopilotEmulator", "EmulatorConfig", "EmulatorState", "Fault"]
