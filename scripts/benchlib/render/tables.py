"""Markdown table cells and rows, and the few formats every section shares."""

from __future__ import annotations

from ..figures import WrkRun

Lines = list[str]


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def rule(columns: int) -> str:
    return row(*["---"] * columns)


def table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> Lines:
    return [row(*header), rule(len(header)), *(row(*cells) for cells in rows)]


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def cpu_us(run: WrkRun) -> str:
    return f"{run.cpu_us:,.0f}" if run.cpu_us else "n/a"


def ms(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
