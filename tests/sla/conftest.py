"""Shared fixtures for the SLA clock tests: the SPEC 2.3 'gold' calendar."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from engine.sla import Calendar

NY = ZoneInfo("America/New_York")

GOLD_SPEC = {
    "timezone": "America/New_York",
    "hours": {"mon-fri": "08:00-18:00", "sat": "09:00-13:00"},
    "holidays": [dt.date(2026, 11, 26), "2026-12-25"],
}


@pytest.fixture
def gold_spec() -> dict:
    return dict(GOLD_SPEC)


@pytest.fixture
def gold() -> Calendar:
    return Calendar.from_spec(GOLD_SPEC)


@pytest.fixture
def ny_24x7() -> Calendar:
    return Calendar.from_spec({"timezone": "America/New_York", "hours": "24x7"})
