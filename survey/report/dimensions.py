"""How a breakdown's dimensions are named to readers of reports and pages (Bokmål)."""

from __future__ import annotations

DIMENSION_NAMES = {"role": "rolle", "unit": "enhet"}
"""A dimension's name in a report ("Etter rolle"); an attribute keeps its own (pulje)."""


def breakdown_label(names: tuple[str, ...] | list[str]) -> str:
    """A breakdown as a reader names it: ("role", "unit") -> "rolle × enhet"."""
    return " × ".join(DIMENSION_NAMES.get(name, name) for name in names)
