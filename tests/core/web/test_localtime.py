"""Times are stored in UTC and shown in the configured zone (Asia/Shanghai by default)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.web.render import Renderer


def test_utc_times_are_shown_in_beijing_time():
    r = Renderer([], [])
    assert r.localtime(datetime(2026, 11, 28, 2, 35, tzinfo=UTC)) == "2026-11-28 10:35"
    assert r.localtime(datetime(2026, 11, 28, 20, 5)) == "2026-11-29 04:05"  # naive from SQLite = UTC
    assert r.localtime("2026-11-28T02:35:00+00:00", "%H:%M") == "10:35"
    assert r.localtime(None) == ""


def test_the_zone_is_a_setting():
    utc = Renderer([], [], timezone="UTC")
    assert utc.localtime(datetime(2026, 1, 1, 9, 0, tzinfo=UTC)) == "2026-01-01 09:00"


def test_a_bad_zone_stops_start_up_naming_the_setting():
    import pytest

    from core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="timezone"):
        load_settings(overrides={"timezone": "Mars/Olympus"})
