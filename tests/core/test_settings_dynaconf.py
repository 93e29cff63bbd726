"""Settings layered by dynaconf (defaults -> file -> environment) and validated by pydantic adapters built
from the declarations (issue #11: one settings mechanism). tests/core/test_settings.py holds the
behaviour that did not change."""

from __future__ import annotations

import json

import pytest

from core.settings import SettingsError, load_settings


def test_a_section_merges_file_and_environment_key_by_key(tmp_path, monkeypatch):
    f = tmp_path / "govhall.toml"
    f.write_text('[hall]\ncontact_phone = "0791-1"\nsms_provider = ""\n', encoding="utf-8")
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(f))
    monkeypatch.setenv("GOVHALL_HALL__SMS_PROVIDER", "log")
    s = load_settings()
    assert (s["hall.contact_phone"], s.origins["hall.contact_phone"]) == ("0791-1", f"file:{f}")
    assert s["hall.sms_provider"] == "log"
    assert s.origins["hall.sms_provider"] == "env:GOVHALL_HALL__SMS_PROVIDER"
    assert (s["hall.email_provider"], s.origins["hall.email_provider"]) == ("log", "default")


@pytest.mark.parametrize("text", ["12345", "true", "1e3", "0791"])
def test_a_text_from_the_environment_keeps_its_text(monkeypatch, text):
    monkeypatch.setenv("GOVHALL_HALL__CONTACT_PHONE", text)  # dynaconf would read 12345 as a number
    assert load_settings()["hall.contact_phone"] == text


def test_typed_values_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOVHALL_HTTPS", "yes")
    monkeypatch.setenv("GOVHALL_TRUSTED_PROXIES", '["10.0.0.0/24"]')
    monkeypatch.setenv("GOVHALL_HOST_MAP", '{"hall.example.cn": "360102"}')
    monkeypatch.setenv("GOVHALL_WATCH_INTERVAL", "2")
    s = load_settings()
    assert s["https"] is True and s["trusted_proxies"] == ["10.0.0.0/24"]
    assert s["host_map"] == {"hall.example.cn": "360102"} and s["watch_interval"] == 2.0


def test_a_json_settings_file_and_a_yes_no_where_a_number_belongs(tmp_path, monkeypatch):
    f = tmp_path / "govhall.json"
    f.write_text(json.dumps({"session_days": 9, "hall": {"contact_phone": "1"}}), encoding="utf-8")
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(f))
    s = load_settings()
    assert (s["session_days"], s["hall.contact_phone"]) == (9, "1")
    f.write_text(json.dumps({"session_days": True}), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"session_days.*expected int"):
        load_settings()


def test_the_prefix_variables_that_are_not_settings_are_ignored(monkeypatch):
    monkeypatch.setenv("GOVHALL_TEST_BROWSER", "chromium")
    assert "test_browser" not in load_settings().values
