"""The gateways' memory during a soak: each process's resident set (VmRSS, from /proc) once
its warm-up is over and every 30 s after, to its last sample at the end of the load.

A gateway restarted mid-run begins a new life (a new process): each life is measured from
its own warm-up, and its growth is its last sample over its first one after the warm-up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .procs import rss_kib

SAMPLE_EVERY = 30.0


@dataclass
class Life:
    """One process of a gateway: when it started (monotonic) and its samples (KiB)."""

    pid: int
    started: float
    samples: list[int] = field(default_factory=list)  # the first: just after the warm-up
    sampled_at: float = 0.0

    def sample(self) -> None:
        try:
            self.samples.append(rss_kib(self.pid))
        except OSError:
            return  # gone (stopped meanwhile): its samples so far stand
        self.sampled_at = time.monotonic()

    @property
    def growth(self) -> float | None:
        """End over after-warm-up, less one; None without two samples."""
        if len(self.samples) < 2:
            return None
        return (self.samples[-1] - self.samples[0]) / self.samples[0]


@dataclass
class Memory:
    """Every life of every gateway, by the gateway's name."""

    warmup: float
    lives: dict[str, list[Life]] = field(default_factory=dict)

    def started(self, name: str, pid: int) -> None:
        self.lives.setdefault(name, []).append(Life(pid, time.monotonic()))

    def due(self) -> None:
        """Sample each current life that has warmed up and was not sampled for 30 s."""
        now = time.monotonic()
        for lives in self.lives.values():
            life = lives[-1]
            if now >= life.started + self.warmup and now >= life.sampled_at + SAMPLE_EVERY:
                life.sample()

    def end(self) -> None:
        """The last sample of every current life that has warmed up."""
        for lives in self.lives.values():
            if lives[-1].samples:
                lives[-1].sample()

    async def watch(self) -> None:
        """Sampling as due, until cancelled (then `end`)."""
        while True:
            self.due()
            await asyncio.sleep(1.0)  # a clock to sample by: nothing to wait on

    def measured(self) -> list[tuple[str, int, Life]]:
        """(gateway, life number from 1, life) of each life with a growth to report."""
        return [
            (name, number, life)
            for name, lives in self.lives.items()
            for number, life in enumerate(lives, 1)
            if life.growth is not None
        ]


def too_much(memory: Memory, bound: float) -> Sequence[str]:
    """Each measured life whose memory grew past `bound` (a fraction), said."""
    return [
        f"{name} (process {number}) grew {life.growth:+.1%}"
        for name, number, life in memory.measured()
        if life.growth is not None and life.growth > bound
    ]
