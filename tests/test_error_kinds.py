"""errors.py opens with a table of every error kind: it must stay true to the classes."""

from __future__ import annotations

import re

from copilot_gateway import errors


def test_the_table_atop_errors_lists_every_kind_with_its_status_type_and_code() -> None:
    rows = re.findall(r"^    (\w+) +(\d{3}) +(\w+) +(.+)$", errors.__doc__ or "", re.M)
    table = {name: (int(status), kind, codes) for name, status, kind, codes in rows}
    classes = {
        name: cls
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.GatewayError)
    }
    del classes["GatewayError"]
    assert set(table) == set(classes)
    for name, cls in classes.items():
        status, kind, codes = table[name]
        instance = cls("x")
        assert (instance.status, instance.type) == (status, kind), name
        assert instance.code is None or instance.code in codes, name
