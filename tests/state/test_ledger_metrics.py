"""The ledger and the Prometheus counters agree, on SQLite and on a real PostgreSQL: a mix
of calls through a gateway on the emulator (keys named in a config file, several models,
errors, a stream), then per key and model the ledger's requests, tokens and credits (and
the usage report's) equal what `/metrics` counted meanwhile."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.settings import Settings
from copilot_gateway.state.database import engine_for
from copilot_gateway.state.ledger import database_url
from copilot_gateway.state.ledger.reports import usage_report
from databases import KINDS, Database, database_of
from metrics_scrape import Samples, scrape
from servers import gateway_settings, running, serving, until

KEYS = {"ledger-alice": "sk-ledger-alice", "ledger-bob": "sk-ledger-bob"}  # name: secret


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def keys_config(directory: Path) -> Path:
    lines = []
    for name, secret in KEYS.items():
        digest = hashlib.sha256(secret.encode()).hexdigest()
        lines += ["[[keys]]", f'name = "{name}"', f'sha256 = "{digest}"']
    path = directory / "gateway.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def calls(url: str) -> int:
    """The mix: chats on three models by two keys, a stream, two refusals; how many."""
    made = 0

    def call(key: str, body: dict[str, Any], status: int) -> None:
        nonlocal made
        headers = {"Authorization": f"Bearer {KEYS[key]}"}
        response = httpx.post(f"{url}/v1/chat/completions", json=body, headers=headers, timeout=30)
        assert response.status_code == status, response.text
        made += 1

    def chat(model: str, **extra: Any) -> dict[str, Any]:
        return {"model": model, "messages": [{"role": "user", "content": "tally"}], **extra}

    call("ledger-alice", chat("gpt-4.1"), 200)
    call("ledger-alice", chat("gpt-4.1"), 200)
    call("ledger-alice", chat("claude-sonnet-4", stream=True), 200)
    call("ledger-bob", chat("claude-sonnet-4"), 200)
    call("ledger-bob", chat("gpt-4o"), 200)
    call("ledger-bob", chat("no-such-model"), 404)
    call("ledger-alice", {"model": "gpt-4.1"}, 400)  # no messages
    return made


def counted(before: Samples, after: Samples, name: str, *labels: str) -> dict[tuple, float]:
    """What a counter gained between two scrapes, by these labels (summed over the rest)."""
    gained: dict[tuple, float] = defaultdict(float)
    for (sample, labelled), total in after.items():
        if sample == name:
            values = dict(labelled)
            earlier = before.get((sample, labelled), 0.0)
            if total != earlier:
                gained[tuple(values[label] for label in labels)] += total - earlier
    return dict(gained)


def test_the_ledger_and_the_metrics_count_the_same_requests_tokens_and_credits(
    database: Database, tmp_path: Path
) -> None:
    emulator = CopilotEmulator()
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(
            emulator_url,
            config_file=keys_config(tmp_path),
            ledger_flush_seconds=0.02,
            **database.settings,
        )
        with serving(settings) as url:
            before = scrape(url)
            made = calls(url)
            assert until(lambda: database.count() == made), "the ledger never wrote the calls"
            after = scrape(url)
    rows = database.ledger()
    assert {row["key_name"] for row in rows} == set(KEYS)
    assert any(row["status"] >= 400 for row in rows)

    requests: Counter[tuple] = Counter()
    tokens: dict[tuple, float] = defaultdict(float)
    credits: dict[tuple, float] = defaultdict(float)
    for row in rows:
        model, key = row["model_served"] or "", row["key_name"] or ""
        requests[(row["operation"], str(row["status"]), model)] += 1
        tokens[(model, key, "prompt")] += row["input_tokens"]
        tokens[(model, key, "completion")] += row["output_tokens"]
        if row["credits"] is not None:
            credits[(row["account"] or "", key, model)] += row["credits"]

    assert counted(before, after, "gateway_requests_total", "operation", "status", "model") == (
        dict(requests)
    )
    assert counted(before, after, "gateway_tokens_total", "model", "key", "type") == {
        labels: total for labels, total in tokens.items() if total
    }
    spent = counted(before, after, "gateway_credits_total", "account", "key", "model")
    assert spent.keys() == {labels for labels, total in credits.items() if total}
    for labels, total in spent.items():
        assert total == pytest.approx(credits[labels])
    assert sum(spent.values()) > 0

    # The report over the same rows reads the same, key by key.
    by_key = {row["key"]: row for row in report(settings, "key")}
    for key in KEYS:
        prompt = sum(n for (_, k, kind), n in tokens.items() if k == key and kind == "prompt")
        assert by_key[key]["input_tokens"] == prompt
        assert by_key[key]["credits"] == pytest.approx(
            sum(total for (_, k, _), total in spent.items() if k == key)
        )
    per_model: Counter[str] = Counter()
    for (_, _, model), n in requests.items():
        per_model[model] += n
    by_model = {row["model"] or "": row["requests"] for row in report(settings, "model")}
    assert by_model == dict(per_model)


def report(settings: Settings, group_by: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        engine = engine_for(database_url(settings))
        try:
            return await usage_report(engine, group_by)
        finally:
            await engine.dispose()

    return asyncio.run(read())
