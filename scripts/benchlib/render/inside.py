"""The sections that look inside a process: the gateway's profile, the emulator's instances."""

from __future__ import annotations

from ..figures import Instances, Profile
from .tables import Lines, table

PROFILE_HEADING = "## Where the gateway's time goes"
OTHER = "other (event loop, stdlib)"


def profile(figures: Profile) -> Lines:
    if figures.skipped or not figures.busy:
        return [PROFILE_HEADING, "", f"({figures.skipped or 'no busy samples'})", ""]
    busy = figures.busy
    rows: list[tuple[object, ...]] = [
        (share.layer, f"{share.inclusive / busy:.0%}", f"{share.innermost / busy:.0%}")
        for share in figures.layers
    ]
    rows.append((OTHER, "", f"{figures.other_innermost / busy:.0%}"))
    return [
        PROFILE_HEADING,
        "",
        f"py-spy (200 Hz, {figures.seconds} s) on the gateway process serving 1 KB chats at 32 "
        f"connections; {busy:,} busy samples. Inclusive: the share of busy samples whose stack "
        "passes through the layer anywhere (shares overlap, they do not add up to 100%). "
        "Innermost: the layer nearest the leaf (the old leaf attribution; shown for contrast, "
        "it misleads: time in C code and helpers lands on their caller).",
        "",
        *table(("layer", "inclusive", "innermost"), rows),
        "",
    ]


def instances(figures: Instances) -> Lines:
    return [
        "## Emulated structured answers",
        "",
        "One instance of a pydantic model's schema (nested model, date, date-time, enum,",
        f"optional field, pattern), {figures.iterations} times: "
        f"**{figures.us_per_instance:.0f} µs per instance**.",
        "",
    ]
