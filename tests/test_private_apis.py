"""The dependencies' private names the gateway uses (see `private_apis`) all still exist."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from copilot_gateway.private_apis import PRIVATE_APIS


@pytest.mark.parametrize(
    ("module", "name", "use"), PRIVATE_APIS, ids=[n for _, n, _ in PRIVATE_APIS]
)
def test_a_private_name_we_rely_on_still_exists(module: str, name: str, use: str) -> None:
    owner, _, attribute = name.partition("()")
    if attribute:  # set on instances: look for the assignment in the class or its bases
        cls = getattr(importlib.import_module(module), owner)
        sources = [
            inspect.getsource(k) for k in cls.__mro__ if k.__module__.split(".")[0] in module
        ]
        assignment = re.compile(rf"self\.{attribute.lstrip('.')}(: [^=]+)? =")  # annotated too
        assert any(assignment.search(source) for source in sources), use
        return
    target: object = importlib.import_module(module)
    for part in name.split("."):
        assert hasattr(target, part), f"{module}.{name} is gone; used in {use}"
        target = getattr(target, part)
