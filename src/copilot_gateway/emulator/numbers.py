"""A number inside a schema's bounds: exclusive bounds (both drafts) and `multipleOf`."""

from __future__ import annotations

import math
from typing import Any

from .bounds import Unsatisfiable

INT64_MAX = 2**63 - 1  # the widest integer a JSON body carries (orjson reads more as floats)


def number(schema: dict, integer: bool, variant: int) -> int | float:
    """The value closest to a small believable one inside the bounds, a multiple if asked."""
    low, high = schema.get("minimum"), schema.get("maximum")
    low_open, high_open = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if low_open is True:  # draft 4: a flag on minimum
        low_open, low = low, None
    if high_open is True:
        high_open, high = high, None
    low_open = low_open if is_number(low_open) else None
    high_open = high_open if is_number(high_open) else None
    low = low if is_number(low) else None
    high = high if is_number(high) else None
    given_step = schema.get("multipleOf")
    step = given_step if is_number(given_step) and given_step > 0 else None  # type: ignore[operator]
    if integer:
        step = step if step is not None else 1
    target = 1 + variant
    lo = max([b for b in (low, low_open) if b is not None], default=None)
    hi = min([b for b in (high, high_open) if b is not None], default=None)
    empty = (
        lo is not None
        and hi is not None
        and (lo > hi or (lo == hi and lo in (low_open, high_open)))
    )
    if empty:
        raise Unsatisfiable("empty numeric range")
    if lo is not None and target < lo:
        target = lo
    if hi is not None and target > hi:
        target = hi
    if step is None:
        value: float = target
        if low_open is not None and value <= low_open:
            value = low_open + 1 if hi is None else (low_open + hi) / 2
        if high_open is not None and value >= high_open:
            value = high_open - 1 if lo is None else (lo + high_open) / 2
        return value
    return multiple_near(target, step, low, low_open, high, high_open, integer)


def multiple_near(
    target: float,
    step: float,
    low: float | None,
    low_open: float | None,
    high: float | None,
    high_open: float | None,
    integer: bool,
) -> int | float:
    def fits(value: float) -> bool:
        return (
            (low is None or value >= low)
            and (low_open is None or value > low_open)
            and (high is None or value <= high)
            and (high_open is None or value < high_open)
            and (not integer or float(value).is_integer())
            and is_multiple(value, step)
        )

    if not math.isfinite(target / step):
        raise Unsatisfiable("bounds out of range")
    base = math.floor(target / step)
    for k in (base, base + 1, base - 1, base + 2, base - 2, 0):
        value = k * step
        if integer or float(step).is_integer():
            value = round(value)
        if fits(value):
            if integer and abs(value) > INT64_MAX:
                raise Unsatisfiable("integers beyond 64 bits")  # what a JSON body carries
            return int(value) if integer else value
    raise Unsatisfiable("no multiple in bounds")


def is_multiple(value: float, step: float) -> bool:
    if float(value).is_integer() and float(step).is_integer():
        return int(value) % int(step) == 0
    quotient = value / step
    return math.isfinite(quotient) and float(quotient).is_integer()


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
