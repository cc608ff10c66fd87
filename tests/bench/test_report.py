"""A saved run (`results.json`) renders to the report's markdown without measuring anything."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from benchlib import cli, store
from benchlib.figures import (
    DashboardFigures,
    Embeddings,
    EmbeddingsRow,
    FirstSecond,
    Incumbent,
    LedgerFigures,
    Measured,
    Memory,
    MemoryStep,
    PageTiming,
    Priced,
    PricedRow,
    Report,
    ReportTiming,
    TurnTimes,
    WebSocketTurns,
    WrkRun,
)
from benchlib.render.report import markdown
from benchlib.targets import Targets

SAVED = Path(__file__).with_name("saved-run.json")


def saved() -> Report:
    figures = store.load(SAVED)
    assert isinstance(figures, Report)
    return figures


def test_a_saved_run_states_each_target_as_met_or_not() -> None:
    text = markdown(saved())

    assert (
        "| gateway ≥ 75% of the floor's req/s, 32 connections, 1 KB chat "
        "| 118% (1,096 / 931 req/s) | **met** |" in text
    )
    assert (
        "| added p50 over direct ≤ 1 ms, one connection, 1 KB chat "
        "| 1.45 ms (1.48 vs 0.03) | **not met** |" in text
    )
    assert (
        "| messages, native: chat's budget | 114% of the floor; +1.02 ms p50 | **not met** |"
        in text
    )
    assert (
        "| 1,000 streams: p99 chunk gap added ≤ 20 ms | 3.9 ms (0.3 ms steady) | **met** |" in text
    )
    assert "| 1,000 streams: ≤ 40 KiB each | 54.5 KiB | **not met** |" in text


def test_the_sections_render_their_figures() -> None:
    text = markdown(saved())

    assert "| gateway | 32 | 1,096 | 928 | 28.98 | 33.84 | 48.78 | 118% | 28.57 | 0 |" in text
    assert "| chat | 1,137 | 897 | 122% | 1.28 | 1.25 | 51.93 | 0 |" in text
    assert "Direct p50 at one connection: chat 0.035 ms; messages 0.027 ms." in text
    assert "**54.5 KiB per open stream**" in text
    assert "(py-spy is not installed in .venv)" in text
    assert "**129 µs per instance**" in text
    assert "no two-worker row" in text


def test_no_heading_names_an_issue() -> None:
    headings = [line for line in markdown(saved()).splitlines() if line.startswith("#")]

    assert "## Targets" in headings
    assert not [heading for heading in headings if re.search(r"#\d", heading)]


def test_the_run_is_read_against_the_targets_it_was_saved_with() -> None:
    stricter = dataclasses.replace(saved(), targets=Targets(floor_share=1.5))

    loaded = store.loads(store.dumps(stricter))
    assert isinstance(loaded, Report)
    text = markdown(loaded)

    assert "| gateway ≥ 150% of the floor's req/s" in text
    assert "| 118% (1,096 / 931 req/s) | **not met** |" in text


def test_sections_not_measured_are_left_out() -> None:
    text = markdown(Report(saved().meta))

    assert "## Targets" not in text
    assert "## Chat, 1 KB" not in text
    assert text.startswith("# Benchmark results\n")


def test_a_quick_run_says_so_and_that_features_need_the_full_run() -> None:
    figures = saved()
    quick = dataclasses.replace(figures, meta=dataclasses.replace(figures.meta, quick=True))

    text = markdown(quick)

    assert "(A `--quick` run: fewer, shorter rounds.)" in text
    assert "(Measured by the full run only: nine more gateways to start.)" in text


def test_saving_and_loading_keeps_every_figure() -> None:
    text = SAVED.read_text()

    assert store.dumps(store.loads(text)) == text


def test_a_file_of_another_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="schema"):
        store.loads('{"schema": 0, "kind": "report"}')


def test_render_writes_the_markdown_beside_the_json(tmp_path: Path) -> None:
    copy = tmp_path / "results.json"
    copy.write_text(SAVED.read_text())

    cli.main(["--render", str(copy)])

    assert (tmp_path / "results.md").read_text() == markdown(saved())


def test_the_ledger_section_states_its_targets_and_each_report() -> None:
    run = saved().headline
    assert run is not None
    on, off = run.run("gateway", 32), run.run("floor", 32)
    on, off = dataclasses.replace(on, cpu_us=980.0), dataclasses.replace(off, cpu_us=910.0)
    timings = (
        ReportTiming("sqlite", "key", "every row", 31.2, 300),
        ReportTiming("sqlite", "hour", "cut mid-hour", 212.0, 673),
        ReportTiming("postgresql", "day", "every row", 18.4, 30),
    )
    ledger = LedgerFigures(on, off, 1_000_000, {"sqlite": 50.0, "postgresql": 20.0}, timings)
    text = markdown(dataclasses.replace(saved(), ledger=ledger))

    assert "| ledger ≤ 0.1 ms server CPU per request, 32 connections | +70 µs | **met** |" in text
    assert (
        "| usage report over 1,000,000 ledger rows < 200 ms, sqlite (the slowest grouping) "
        "| 212.0 ms | **not met** |" in text
    )
    assert "| postgresql | day | every row | 18.4 | 30 |" in text


def test_the_dashboard_section_states_its_targets_and_each_page() -> None:
    pages = (
        PageTiming("sqlite", "overview", 41.5),
        PageTiming("sqlite", "requests (model)", 120.0),
        PageTiming("postgresql", "keys", 12.25),
    )
    dashboard = DashboardFigures(1_000_000, pages)
    text = markdown(dataclasses.replace(saved(), dashboard=dashboard))

    assert (
        "| dashboard page over 1,000,000 ledger rows < 100 ms server time, sqlite "
        "(the slowest: requests (model)) | 120.0 ms | **not met** |" in text
    )
    assert (
        "| dashboard page over 1,000,000 ledger rows < 100 ms server time, postgresql "
        "(the slowest: keys) | 12.2 ms | **met** |" in text
    )
    assert "| sqlite | overview | 41.5 |" in text


def test_the_websocket_section_shows_each_transport_and_what_a_bridge_would_change() -> None:
    turns = WebSocketTurns(
        18, TurnTimes(300, 9.5, 14.0, 2400.0), TurnTimes(300, 7.25, 11.0, 2750.0),
        TurnTimes(300, 0.29, 0.43), TurnTimes(300, 0.45, 0.94),
    )  # fmt: skip
    text = markdown(dataclasses.replace(saved(), websocket=turns))

    assert "## Responses over WebSocket, turn after turn (18 events a turn)" in text
    assert "| client → gateway over its WebSocket | 300 | 7.25 | 11.00 | 2,750 |" in text
    assert "| upstream hop over an open WebSocket (prototype) | 300 | 0.45 | 0.94 |  |" in text
    assert "their difference, -0.16 ms at the median" in text
    # The relay's price: a turn over it against over SSE, in the gateway's CPU.
    assert "| WebSocket relay ≤ 0.3 ms server CPU per request" in text
    assert "| +350 µs | **not met** |" in text


def run(rps: float, p50_ms: float) -> WrkRun:
    return WrkRun(rps, int(rps), 0, 0, p50_ms, p50_ms, p50_ms * 2, p50_ms * 3, 900.0)


def test_the_embeddings_rows_state_the_added_latency_and_its_growth() -> None:
    # Added p50 1, 4, 13 and 50 ms: 12 ms over 240 vectors, then 37 ms over 768.
    rows = tuple(
        EmbeddingsRow(1, run(500, added / 2), run(100, added / 2 + added), inputs)
        for inputs, added in ((16, 1.0), (64, 4.0), (256, 13.0), (1024, 50.0))
    )
    text = markdown(dataclasses.replace(saved(), embeddings=Embeddings(256, 1536, rows)))

    assert (
        "| embeddings, 256 of 1,536: added p50 ≤ 5 ms, one connection | 13.0 ms | **not met** |"
        in text
    )
    assert (
        "| embeddings grow linearly: added per vector, 256→1,024 ≤ 1.5 times 16→256 "
        "| 48.2 vs 50.0 µs per vector (0.96 times) | **met** |" in text
    )
    assert "| 1,024 | 1 | 500.0 | 100.0 | 25.0 | 75.0 | 50.0 | 900 |" in text


def test_the_incumbent_is_read_against_both_targets() -> None:
    runs = (
        Measured("direct", 1, run(9000, 0.05)),
        Measured("gateway", 1, run(700, 1.05)),
        Measured("litellm", 1, run(60, 12.05)),
        Measured("direct", 32, run(80000, 0.3)),
        Measured("gateway", 32, run(1200, 28.0)),
        Measured("litellm", 32, run(100, 320.0)),
    )
    text = markdown(dataclasses.replace(saved(), incumbent=Incumbent("litellm[proxy]==1", 3, runs)))

    assert (
        "| gateway ≥ 15 times LiteLLM's req/s, 32 connections "
        "| 12.0 times (1,200 / 100 req/s) | **not met** |" in text
    )
    assert (
        "| gateway's added p50 ≤ 0.1 times LiteLLM's, one connection "
        "| 0.083 times (1.00 / 12.00 ms) | **met** |" in text
    )
    assert "| litellm | 32 | 100 | 900 | 320.00 | 640.00 | 319.70 | 0 |" in text


def test_an_incumbent_that_could_not_be_installed_says_why() -> None:
    skipped = Incumbent("litellm[proxy]==1", skipped="no registry")
    text = markdown(dataclasses.replace(saved(), incumbent=skipped))

    assert "| the incumbent (LiteLLM) in the same run | no registry | not measured |" in text
    assert "Not measured: no registry" in text


def test_each_priced_feature_is_read_against_the_budget() -> None:
    rows = (
        PricedRow("Gemini translation", "generateContent", "chat", run(800, 40), run(900, 35)),
        PricedRow(
            "budgets (Redis)",
            "a key with a budget",
            "a key without",
            dataclasses.replace(run(700, 45), cpu_us=1320.0),
            run(900, 35),
        ),
    )
    text = markdown(dataclasses.replace(saved(), priced=Priced(6, rows)))

    assert (
        "| Gemini translation ≤ 0.3 ms server CPU per request, 32 connections | +0 µs | **met** |"
        in text
    )
    assert (
        "| budgets (Redis) ≤ 0.3 ms server CPU per request, 32 connections | +420 µs "
        "| **not met** |" in text
    )
    assert "| budgets (Redis) | with | a key with a budget | 700 | 1,320 | +420 | 0 |" in text


def test_streams_with_gemini_on_the_same_process_are_read_against_the_gap_target() -> None:
    streams = saved().streams
    assert streams is not None
    direct_gap = streams.direct.gap_p99_ms
    assert direct_gap is not None
    mixed = dataclasses.replace(
        streams.gateway, name="gateway, half of them Gemini's", gap_p99_ms=direct_gap + 25.0
    )
    text = markdown(dataclasses.replace(saved(), streams=dataclasses.replace(streams, mixed=mixed)))

    assert (
        "| 1,000 streams, half of them Gemini's: p99 chunk gap added ≤ 20 ms | 25.0 ms "
        "| **not met** |" in text
    )
    assert "| gateway, half of them Gemini's | 1000 of 1000 |" in text


def test_the_first_second_section_judges_the_first_seconds_p99_against_the_warm_one() -> None:
    first = WrkRun(800.0, 800, 0, 0, 30.0, 40.0, 120.0, 150.0, 900.0)
    warm = WrkRun(900.0, 3600, 0, 0, 28.0, 35.0, 50.0, 70.0, 880.0)
    figures = FirstSecond(3, 2.4, 13.6, first, warm)
    text = markdown(dataclasses.replace(saved(), first_second=figures))

    assert "## The first second after healthy" in text
    assert "| the first second | 800 | 30.00 | 120.00 | 150.00 | 0 |" in text
    assert "the first request of one more fresh gateway, alone: 13.6 ms" in text
    assert "| 2.40 times (120.0 vs 50.0 ms) | **not met** |" in text
    faster = dataclasses.replace(figures, first=dataclasses.replace(first, p99_ms=90.0))
    assert "| 1.80 times (90.0 vs 50.0 ms) | **met** |" in markdown(
        dataclasses.replace(saved(), first_second=faster)
    )


def test_the_memory_section_says_where_the_memory_goes_and_judges_the_process() -> None:
    steps = (MemoryStep("the interpreter", 12.0), MemoryStep("the libraries", 96.0))
    figures = Memory(steps, 140.0, 148.5, 230.0, 60.0)
    text = markdown(dataclasses.replace(saved(), memory=figures))

    assert "| the libraries | +84.0 | 96.0 |" in text
    assert "| after one request on every surface | 148.5 |" in text
    assert "every surface loaded | 148 MiB | **met** |" in text
    assert "after load on every surface | 230 MiB (after 60 s) | **not met** |" in text
