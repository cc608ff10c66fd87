"""`python -m benchlib` (what `scripts/bench` runs)."""

from .cli import main

main()
