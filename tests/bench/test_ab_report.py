"""An A/B run's figures render as ratios A / B per row, with the spread over its rounds."""

from __future__ import annotations

from benchlib import store
from benchlib.ab.figures import AbReport, AbRow, Side
from benchlib.figures import Meta, WrkRun
from benchlib.render.ab import markdown

META = Meta("2026-12-02 10:00", "abc1234", 2, "a CPU", "3.11.7", 0.5, quick=True, took_min=3.0)


def run(rps: float, p50: float = 1.0, cpu: float = 1000.0) -> WrkRun:
    return WrkRun(rps, int(rps * 2), 0, 0, p50, p50 * 2, p50 * 4, p50 * 5, cpu)


def report(*rows: AbRow) -> AbReport:
    return AbReport(
        meta=META,
        a=Side("working tree", "abc1234 +changes", "the working tree's .venv (editable)"),
        b=Side("dc4492f", "dc4492f", "a wheel in a temporary venv (uv)"),
        rounds=3,
        seconds=2,
        rows=rows,
        startup_a=(2.0, 2.2, 2.1),
        startup_b=(2.4, 2.5, 2.6),
        idle_kib_a=300 * 1024,
        idle_kib_b=310 * 1024,
    )


def test_each_row_shows_both_sides_their_ratio_and_its_spread() -> None:
    chat = AbRow(
        "chat 1 KB",
        32,
        a=(run(1100, 2.0, 900), run(1000, 2.2, 950), run(1050, 2.1, 920)),
        b=(run(1000, 2.0, 1000), run(1000, 2.0, 1000), run(1000, 2.0, 1000)),
    )

    text = markdown(report(chat))

    assert (
        "| chat 1 KB | 32 | 1,050 | 1,000 | **1.05** | 1.00 to 1.10 | 920 | 1000 | 0.92 |" in text
    )
    assert "| chat 1 KB | 32 | 2.10 | 2.00 | 1.05 | 8.40 | 8.00 | 1.05 |" in text
    assert "**no throughput loss**" in text
    assert "- start-up: A 2.10 s, B 2.50 s (A/B 0.84; medians)" in text


def test_a_row_slower_beyond_the_tolerance_is_named() -> None:
    slower = AbRow("messages native", 32, a=(run(800),) * 3, b=(run(1000),) * 3)
    same = AbRow("chat 1 KB", 1, a=(run(990),) * 3, b=(run(1000),) * 3)

    text = markdown(report(slower, same))

    assert "**A slower than B beyond the noise (±5%)**: messages native (32)" in text
    assert "| messages native | 32 | 800 | 1,000 | **0.80** |" in text
    assert "| chat 1 KB | 1 | 990 | 1,000 | **0.99** | 0.99 to 0.99 |" in text
    assert "no throughput loss" not in text


def test_an_ab_run_saved_and_loaded_renders_the_same() -> None:
    figures = report(AbRow("chat 1 KB", 32, a=(run(1000),) * 3, b=(run(990),) * 3))

    loaded = store.loads(store.dumps(figures))

    assert isinstance(loaded, AbReport)
    assert markdown(loaded) == markdown(figures)
