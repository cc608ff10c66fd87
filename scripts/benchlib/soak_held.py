"""What each gateway held during a soak, by its own gauges: the most ledger rows buffered,
stored responses and completions held (their database slow or out of reach), streams and
client connections open, and its state-database errors; sampled as its memory is. A memory
figure that grew says with these whether objects were waiting (each kind bounded) or the
process itself grew."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from .soak_memory import SAMPLE_EVERY

SAID = {  # each gauge, as the report says it
    "gateway_ledger_rows_buffered": "ledger rows buffered",
    "gateway_responses_held": "stored responses held",
    "gateway_completions_held": "stored completions held",
    "gateway_streams_open": "streams open",
    "gateway_connections_open": "client connections open",
    "gateway_state_database_errors_total": "state-database errors",  # a counter: its last
}


async def scraped(session: aiohttp.ClientSession, url: str) -> dict[str, float]:
    """The gateway's `/metrics`, each sample's name with its values summed (over labels)."""
    async with session.get(url + "/metrics") as answer:
        text = await answer.text()
    sums: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            sums[sample.name] = sums.get(sample.name, 0.0) + sample.value
    return sums


@dataclass
class Held:
    every: float = SAMPLE_EVERY
    most: dict[str, Counter[str]] = field(default_factory=dict)  # by gateway URL

    async def sample(self, session: aiohttp.ClientSession, url: str) -> None:
        now = await scraped(session, url)
        most = self.most.setdefault(url, Counter())
        for name in SAID:
            if name in now:
                most[name] = max(most[name], int(now[name]))

    async def watch(self, urls: Sequence[str]) -> None:
        """Sampling every `every` seconds, until cancelled; a gateway restarting meanwhile
        is sampled next time."""
        async with aiohttp.ClientSession() as session:
            while True:
                for url in urls:
                    try:
                        await self.sample(session, url)
                    except aiohttp.ClientError:
                        continue
                await asyncio.sleep(self.every)  # a clock to sample by, as the memory's

    def lines(self) -> list[str]:
        return [
            f"- the gateway at {url}, at most: "
            + ", ".join(f"{most[name]:,} {said}" for name, said in SAID.items())
            for url, most in self.most.items()
        ]
