"""Figures to JSON and back: `results.json` beside `results.md` (or `ab.json` beside `ab.md`).

pydantic validates the file into the typed dataclasses of `benchlib.figures` (pydantic is
one of the gateway's own dependencies), so a saved file that no longer fits them fails
loudly, at load, not halfway through rendering.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from .ab.figures import AbReport
from .figures import SCHEMA, Report

Saved = Report | AbReport
_ADAPTER: TypeAdapter[Saved] = TypeAdapter(Saved)


def dumps(figures: Saved) -> str:
    return _ADAPTER.dump_json(figures, indent=2).decode() + "\n"


def loads(text: str) -> Saved:
    raw = json.loads(text)
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        found = raw.get("schema") if isinstance(raw, dict) else None
        raise ValueError(f"not a bench results file of schema {SCHEMA} (schema: {found!r})")
    kind = raw.get("kind")
    if kind == "report":
        return TypeAdapter(Report).validate_python(raw)
    if kind == "ab":
        return TypeAdapter(AbReport).validate_python(raw)
    raise ValueError(f"unknown kind of bench results: {kind!r}")


def save(figures: Saved, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(figures))


def load(path: Path) -> Saved:
    return loads(path.read_text())
