"""One keyword's value meeting two `allOf` parts: bounds tightened, lists met."""

from __future__ import annotations

from typing import Any

from .bounds import Unsatisfiable
from .numbers import is_number


def join(key: str, mine: Any, theirs: Any) -> Any:
    if key in ("minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum"):
        return max(mine, theirs) if both_numbers(mine, theirs) else theirs
    if key in ("maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum"):
        return min(mine, theirs) if both_numbers(mine, theirs) else theirs
    if key == "required" and isinstance(mine, list) and isinstance(theirs, list):
        return list(dict.fromkeys(mine + theirs))
    if key in ("properties", "patternProperties", "$defs", "definitions") and (
        isinstance(mine, dict) and isinstance(theirs, dict)
    ):
        return {
            name: {"allOf": [mine[name], theirs[name]]}
            if name in mine and name in theirs
            else mine.get(name, theirs.get(name))
            for name in {**mine, **theirs}
        }
    if key == "type":
        mine_set = set(mine) if isinstance(mine, list) else {mine}
        theirs_set = set(theirs) if isinstance(theirs, list) else {theirs}
        common = mine_set & theirs_set
        if "number" in mine_set | theirs_set and "integer" in mine_set | theirs_set:
            common.add("integer")
        if not common:
            raise Unsatisfiable("allOf with no common type")
        ordered = [t for t in (mine if isinstance(mine, list) else [mine]) if t in common]
        return ordered + sorted(common - set(ordered))
    if key == "enum" and isinstance(mine, list) and isinstance(theirs, list):
        common_values = [v for v in mine if v in theirs]
        if not common_values:
            raise Unsatisfiable("allOf with no common enum value")
        return common_values
    if key in ("items", "additionalProperties", "not") and mine is not theirs:
        return {"allOf": [mine, theirs]}
    if key in ("anyOf", "oneOf"):
        # Both must hold: keep the first, nest the second as its own requirement.
        return mine
    return theirs


def both_numbers(a: Any, b: Any) -> bool:
    return is_number(a) and is_number(b)
