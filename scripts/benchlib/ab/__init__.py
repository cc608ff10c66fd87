"""The A/B mode: the working tree against another git revision, in one run, on one stub.

`checkout` builds the other side (a temporary worktree and venv), `rows` says what is
measured, `measure` runs both sides in interleaved rounds; `benchlib.render.ab` renders it.
"""
