"""The built-in Copilot emulator: an independent implementation of Copilot's protocol,
importing nothing of the gateway it tests."""

from .app import CopilotEmulator
from .faults import Fault
from .state import EmulatorConfig, EmulatorState

__all__ = ["CopilotEmulator", "EmulatorConfig", "EmulatorState", "Fault"]
