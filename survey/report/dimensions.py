"""How a breakdown's dimensions are named to readers of reports and pages (Bokmål)."""

from __future__ import annotations

DIMENSION_NAMES = {"role": "rolle", "unit": "enhet"}
"""A dimension's name in a report ("Etter rolle"); an attribute keeps its own (pulje)."""
