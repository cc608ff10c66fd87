"""Numbers as the upstreams send them: in JSON, where `true` is no number (Python's bool is
an int), and in the text of a header's fields. One reading for every part that takes an
amount off the wire (prices, bills, quotas, windows), so they agree on what is not one."""

from __future__ import annotations


def number(value: object) -> float | None:
    """A JSON number as a float; None for anything else (a bool, a string, null)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def non_negative(value: object) -> float | None:
    """A JSON number that can be an amount (a price, a count, a bill): none below zero."""
    found = number(value)
    return found if found is not None and found >= 0 else None


def number_text(text: str) -> float | None:
    """A number written out (a header field's value); None when it is not one."""
    try:
        return float(text)
    except ValueError:
        return None


# Every byte a JSON array of numbers may hold between its brackets.
NUMBER_ARRAY_BYTES = b"0123456789+-.eE, \t\r\n"


def is_number_array(value: bytes) -> bool:
    """Whether one JSON value, already read as well-formed JSON (its syntax checked by the
    parser that found it), is an array of numbers: brackets around bytes that can only
    spell numbers (no quote, no brace, no inner bracket, no letter of a literal)."""
    return (
        value[:1] == b"["
        and value[-1:] == b"]"
        and not value[1:-1].translate(None, NUMBER_ARRAY_BYTES)
    )
