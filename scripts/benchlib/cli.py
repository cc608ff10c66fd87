"""The bench's command line: measure (the full run or `--quick`), `--render` a saved run,
or `--ab REV` against another revision. Heavy imports wait for the mode that needs them:
`--help` and `--render` start no server and need no wrk."""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results.md"
AB_RESULTS = ROOT / "benchmarks" / "ab.md"


def parser() -> argparse.ArgumentParser:
    from . import __doc__ as overview

    assert overview is not None
    described = argparse.ArgumentParser(
        prog="scripts/bench",
        description=overview.splitlines()[0],
        epilog="Writes the markdown to --output and the figures as JSON beside it (.json).",
    )
    described.add_argument(
        "--quick", action="store_true", help="shorter and fewer runs: a rough run in minutes"
    )
    described.add_argument(
        "--streams", type=int, help="concurrent streams (default 1,000; 300 with --quick)"
    )
    described.add_argument(
        "--output",
        type=Path,
        help=f"the markdown (default {RESULTS.relative_to(ROOT)}; "
        f"{AB_RESULTS.relative_to(ROOT)} with --ab; beside the JSON with --render)",
    )
    described.add_argument(
        "--only",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        help="comma-separated: only these sections (headline, surfaces, features, sizes, "
        "embeddings, tails, profile, streams, ledger, dashboard, instances, incumbent, priced, "
        "websocket, first_second, memory), or "
        "with --ab the rows whose names start so (e.g. chat, responses, messages native, "
        "embeddings)",
    )
    mode = described.add_mutually_exclusive_group()
    mode.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="render the markdown of a saved run (results.json or ab.json): no measuring",
    )
    mode.add_argument(
        "--ab",
        metavar="REV",
        help="the working tree (A) against git revision REV (B), interleaved, one stub: "
        "REV is checked out in a temporary worktree and venv, removed after",
    )
    described.add_argument(
        "--uv", type=Path, help="uv for --ab's venv (default: uv on PATH, else tox's, else pip)"
    )
    return described


def render(saved: Path, output: Path | None) -> str:
    from . import store
    from .figures import Report
    from .render import ab, report

    figures = store.load(saved)
    markdown = report.markdown(figures) if isinstance(figures, Report) else ab.markdown(figures)
    (output or saved.with_suffix(".md")).write_text(markdown)
    return markdown


def measure(arguments: argparse.Namespace) -> str:
    from . import store
    from .ab.figures import AbReport
    from .figures import Report
    from .render import ab, report

    figures: Report | AbReport
    if arguments.ab:
        from .ab import rows
        from .ab.measure import AbPlan
        from .ab.measure import measure as measure_ab

        plan = AbPlan.of(arguments.quick)
        figures = measure_ab(arguments.ab, plan, rows.chosen(arguments.only), arguments.uv)
        output = arguments.output or AB_RESULTS
        markdown = ab.markdown(figures)
    else:
        from .measure import SECTIONS
        from .measure import measure as measure_full
        from .plan import Plan

        unknown = set(arguments.only or ()) - set(SECTIONS)
        if unknown:
            raise SystemExit(f"unknown sections: {', '.join(sorted(unknown))}")
        figures = measure_full(
            Plan.of(arguments.quick, arguments.streams), arguments.only or SECTIONS
        )
        output = arguments.output or RESULTS
        markdown = report.markdown(figures)
    store.save(figures, output.with_suffix(".json"))
    output.write_text(markdown)
    return markdown


def main(argv: list[str] | None = None) -> None:
    arguments = parser().parse_args(argv)
    if arguments.render:
        print(render(arguments.render, arguments.output))
        return
    print(measure(arguments))
