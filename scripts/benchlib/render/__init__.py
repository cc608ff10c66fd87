"""Markdown from figures (`benchlib.figures`): a full run's `results.md`, an A/B run's `ab.md`.

Nothing here measures or starts anything, so a saved JSON renders again on any machine.
"""
