"""Dates and moments as a bokmål reader expects them, in Norway's time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

NORWAY = ZoneInfo("Europe/Oslo")
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def norwegian_date(day: date) -> str:
    """Bokmål long date, as in a letter: ``1. desember 2026``."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def norwegian_moment(stamp: str) -> str:
    """A stored UTC moment (ISO 8601) as Norwegian time: ``5. desember 2026 kl. 03.22``
    (the stored moments are UTC; a reader in Norway reads local time)."""
    moment = datetime.fromisoformat(stamp).astimezone(NORWAY)
    return f"{norwegian_date(moment.date())} kl. {moment:%H.%M}"
