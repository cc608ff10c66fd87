"""errors.py opens with the tree of every error kind: it must stay true to the classes."""

from __future__ import annotations

import re

from copilot_gateway import errors
from copilot_gateway.surfaces.openai.surface import error_type

# A row: the tree's drawing, the kind, its status, OpenAI's type, its usual codes.
ROW = re.compile(r"^    ([│├└─ ]*)(\w+) +(\d{3}) +(\w+) +(.+)$", re.M)


def rows() -> list[tuple[int, str, int, str, str]]:
    """(depth, kind, status, type, codes) for each row of the table, in order."""
    return [
        (len(drawing) // 4, name, int(status), kind, codes)
        for drawing, name, status, kind, codes in ROW.findall(errors.__doc__ or "")
    ]


def test_the_table_atop_errors_lists_every_kind_with_its_status_type_and_code() -> None:
    table = {name: (status, kind, codes) for _, name, status, kind, codes in rows()}
    classes = {
        name: cls
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.GatewayError)
    }
    assert set(table) == set(classes)
    for name, cls in classes.items():
        status, kind, codes = table[name]
        instance = cls("x")
        assert (instance.status, error_type(instance)) == (status, kind), name
        assert instance.code is None or instance.code in codes, name


def test_the_table_draws_each_kind_under_its_base() -> None:
    parents: list[str] = []  # the kinds the last row at each depth descends from
    for depth, name, *_ in rows():
        del parents[depth:]
        cls = getattr(errors, name)
        expected = (getattr(errors, parents[-1]),) if parents else (Exception,)
        assert cls.__bases__ == expected, name
        parents.append(name)
