"""`copilot-gateway usage --by GROUP`: a usage report (`reports`) read from the ledger's
database, as `serve` finds it in the settings (no upstream is called), printed as a table,
JSON or CSV."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from ...observability.logs import escaped
from ...settings import Settings
from ..database import database_url, engine_for, migrate
from .reports import moment_of, usage_csv, usage_report

FORMATS = ("table", "json", "csv")
COLUMNS = (
    ("requests", "requests"),
    ("errors", "errors"),
    ("input_tokens", "input"),
    ("cached_tokens", "cached"),
    ("output_tokens", "output"),
    ("credits", "credits"),
    ("usd", "usd"),
    ("unpriced", "unpriced"),
)


def moment(text: str) -> datetime:
    """An ISO date or time from the command line (see `reports.moment_of`)."""
    try:
        return moment_of(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


async def ledger_report(
    settings: Settings, group_by: str, since: datetime | None, until: datetime | None
) -> list[dict[str, Any]]:
    """The report from the ledger's database (its schema brought to head first, as `serve`
    would: an older ledger gains its rollup)."""
    engine = engine_for(database_url(settings))
    try:
        await migrate(engine)
        return await usage_report(engine, group_by, since, until)
    finally:
        await engine.dispose()


def rendered(rows: list[dict[str, Any]], group_by: str, format: str) -> str:
    """The report as `format` says: an aligned table with a total line, JSON, or CSV."""
    if format == "json":
        return json.dumps(rows, indent=2) + "\n"
    if format == "csv":
        return usage_csv(rows, group_by)
    return _table(rows, group_by)


def _table(rows: list[dict[str, Any]], group_by: str) -> str:
    lines = [(group_by, *(title for _, title in COLUMNS))]
    for row in rows:
        lines.append((_cell(row[group_by]), *(_cell(row[name]) for name, _ in COLUMNS)))
    total = {name: sum(row[name] for row in rows) for name, _ in COLUMNS}
    lines.append(("total", *(_cell(total[name]) for name, _ in COLUMNS)))
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    return "".join(
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        + "\n"
        for line in lines
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return escaped(str(value))  # a terminal never runs what a name holds
