"""Where the gateway's time goes: py-spy on the gateway process under load, by layer."""

from __future__ import annotations

from .. import pyspy
from ..figures import LayerShare, Profile
from ..fleet import Fleet
from ..loads import chat_body, through
from ..plan import Plan
from ..wrk import wrk


def measure(fleet: Fleet, plan: Plan) -> Profile:
    seconds = 4 if plan.quick else 10
    if not pyspy.available():
        return Profile(seconds, 0, skipped="py-spy is not installed in .venv")
    load = through(fleet.gateway, "/chat/completions", chat_body(1024))
    busy, inclusive, inner = pyspy.profile(
        fleet.gateway.pid, seconds, lambda: wrk(load, 32, seconds)
    )
    if not busy:
        return Profile(seconds, 0, skipped="py-spy recorded no busy samples")
    layers = tuple(
        LayerShare(layer, samples, inner.get(layer, 0))
        for layer, samples in inclusive.most_common()
    )
    return Profile(seconds, busy, layers, inner.get(pyspy.OTHER, 0))
