"""Bar charts as the templates draw them in inline SVG: each bar's place and height worked
out here, so a chart needs no script and no style of its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 600, 120  # the SVG's own units; it scales to the page's width


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    label: str  # the bar's title (shown on hover): its time and value
    value: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    overlay: tuple[Bar, ...]  # a second series drawn over the first (errors over requests)
    largest: float
    width: int = WIDTH
    height: int = HEIGHT


def chart(
    labels: Sequence[str],
    values: Sequence[float],
    overlay: Sequence[float] = (),
    unit: str = "",
) -> Chart:
    """Bars for values (and an overlay on the same scale), one per label, left to right."""
    largest = max([*values, *overlay, 0])
    scale = HEIGHT / largest if largest else 0.0
    step = WIDTH / max(len(labels), 1)

    def bars(series: Sequence[float]) -> tuple[Bar, ...]:
        made = []
        for index, (label, value) in enumerate(zip(labels, series, strict=False)):
            height = value * scale
            title = f"{label}: {value:g}{unit}"
            made.append(
                Bar(index * step + 1, max(step - 2, 1), HEIGHT - height, height, title, value)
            )
        return tuple(made)

    return Chart(bars(values), bars(overlay), largest)
