"""The keys' limits as a mapping read live: a config-file key's, or a runtime key's as this
process knows it now, so a key made, changed or revoked at runtime is limited at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ..key_limits.policy import KeyLimits
from .rules import KeyEntry


class LiveLimits(Mapping[str, KeyLimits]):
    """Key name -> its limits, for the keys that have any."""

    def __init__(
        self, entry_of: Callable[[str], KeyEntry | None], names: Callable[[], Iterator[str]]
    ) -> None:
        self.entry_of = entry_of
        self.names = names

    def get_limits(self, name: str) -> KeyLimits | None:
        entry = self.entry_of(name)
        return entry if entry is not None and entry.limited else None

    def __getitem__(self, name: str) -> KeyLimits:
        limits = self.get_limits(name)
        if limits is None:
            raise KeyError(name)
        return limits

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get_limits(name) is not None

    def __iter__(self) -> Iterator[str]:
        return (name for name in self.names() if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)
