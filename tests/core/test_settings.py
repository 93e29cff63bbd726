"""Settings: declared once, validated at start-up from file, environment and per-tenant overlays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Scope
from core.settings import CORE_SETTINGS, SettingsError, SettingSpec, load_settings
from core.tenancy.models import TenantSetting


def _write(tmp_path: Path, text: str, name: str = "govhall.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_every_core_setting_has_help_and_a_valid_default():
    keys = [s.key for s in CORE_SETTINGS]
    assert len(keys) == len(set(keys)), "a setting is declared twice"
    for spec in CORE_SETTINGS:
        assert spec.help.strip(), spec.key
        assert spec.coerce(spec.default, "default") == spec.default


def test_layers_file_then_env_with_origins(tmp_path, monkeypatch):
    f = _write(tmp_path, 'session_days = 30\nlog_level = "warning"\n[hall]\ncontact_phone = "0791-12345"\n')
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(f))
    monkeypatch.setenv("GOVHALL_LOG_LEVEL", "debug")
    s = load_settings()
    assert (s["session_days"], s.origins["session_days"]) == (30, f"file:{f}")
    assert (s["log_level"], s.origins["log_level"]) == ("debug", "env:GOVHALL_LOG_LEVEL")
    assert (s["hall.contact_phone"], s.origins["hall.contact_phone"]) == ("0791-12345", f"file:{f}")
    assert (s["upload_max_mb"], s.origins["upload_max_mb"]) == (50, "default")


@pytest.mark.parametrize(("env", "value", "needle"), [
    ("GOVHALL_SESSION_DAYS", "0", "session_days"),
    ("GOVHALL_SESSION_DAYS", "many", "session_days"),
    ("GOVHALL_LOG_LEVEL", "loud", "log_level"),
    ("GOVHALL_HTTPS", "perhaps", "https"),
    ("GOVHALL_HOST_MAP", '{"hall.example.cn": "nanchang"}', "host_map"),
    ("GOVHALL_DATABASE_URL", "mysql://x/y", "database_url"),
])
def test_invalid_env_value_names_the_setting(monkeypatch, env, value, needle):
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=needle):
        load_settings()


def test_invalid_file_value_names_setting_and_file(tmp_path, monkeypatch):
    f = _write(tmp_path, "watch_interval = 600\n")
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(f))
    with pytest.raises(SettingsError, match=r"watch_interval.*file:.*govhall\.toml.*maximum"):
        load_settings()


def test_unknown_settings_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVHALL_SESSON_DAYS", "3")  # a typo must not pass silently
    with pytest.raises(SettingsError, match="unknown setting 'sesson_days'.*GOVHALL_SESSON_DAYS"):
        load_settings()
    monkeypatch.delenv("GOVHALL_SESSON_DAYS")
    f = _write(tmp_path, "[hall]\ncontact_phon = '1'\n")
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(f))
    with pytest.raises(SettingsError, match="unknown setting 'hall.contact_phon'"):
        load_settings()
    # a section named after an installed plugin is checked too, even if that plugin declares nothing
    f = _write(tmp_path, "[credit]\nnot_a_setting = 1\n", "other.toml")
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(f))
    with pytest.raises(SettingsError, match="credit.not_a_setting"):
        load_settings(plugin_names=["credit"])


def test_missing_settings_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings()


def test_plugin_setting_validated_like_core():
    spec = SettingSpec("demo.margin", 3, "Days of margin.", type=int, min=0, max=10, per_tenant=True)
    assert load_settings(extra_specs=[spec])["demo.margin"] == 3
    with pytest.raises(SettingsError, match="demo.margin"):
        load_settings(extra_specs=[spec], overrides={"demo.margin": 11})


def test_bad_setting_stops_the_command_with_its_name(cli, monkeypatch):
    monkeypatch.setenv("GOVHALL_UPLOAD_MAX_MB", "0")
    r = cli("settings", "show")
    assert r.exit_code == 1
    assert "upload_max_mb" in r.output and "minimum" in r.output


def test_bad_setting_stops_app_start(db_url, tmp_path, monkeypatch):
    from core.app import create_app

    monkeypatch.setenv("GOVHALL_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVHALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GOVHALL_DEFAULT_LANGUAGE", "fr")
    with pytest.raises(SettingsError, match="default_language"):
        create_app()


def test_settings_show_prints_values_and_origins(cli, monkeypatch, tmp_path):
    f = _write(tmp_path, "session_days = 7\n", "s.toml")
    monkeypatch.setenv("GOVHALL_SETTINGS_FILE", str(f))
    r = cli("settings", "show", "--json")
    assert r.exit_code == 0, r.output
    rows = {row["key"]: row for row in json.loads(r.output)}
    assert rows["session_days"]["origin"] == f"file:{f}" and rows["session_days"]["value"] == 7
    assert rows["database_url"]["origin"] == "env:GOVHALL_DATABASE_URL"
    assert rows["log_level"]["origin"] == "default"
    assert all(row["help"] for row in rows.values())
    text = cli("settings", "show").output
    assert "session_days = 7" in text and f"[file:{f}]" in text


def _tree(tmp_path: Path, body: str) -> Path:
    return _write(tmp_path, "version = 1\n" + body, "tree.toml")


def test_per_tenant_overlay_inherited_with_origin(cli, tmp_path, platform):
    f = _tree(tmp_path, '''
[[tenants]]
code = "360100"
parent = "360000"
name = "南昌市"
name_en = "Nanchang City"
level = "city"
settings = { "hall.contact_phone" = "0791-12345" }
''')
    r = cli("tenants", "apply", str(f))
    assert r.exit_code == 0, r.output

    def show(code: str) -> dict:
        out = cli("settings", "show", "--tenant", code, "--json").output
        return {row["key"]: row for row in json.loads(out)}

    shown = show("360102")
    assert shown["hall.contact_phone"] == {**shown["hall.contact_phone"], "value": "0791-12345",
                                           "origin": "tenant:360100"}
    top = show("360000")
    assert top["hall.contact_phone"]["origin"] == "default"
    platform.refresh(force=True)
    assert platform.tenant_setting(platform.directory.get("360103"), "hall.contact_phone") == "0791-12345"


@pytest.mark.parametrize(("settings", "needle"), [
    ('{ "hall.contact_phone" = 12345 }', "hall.contact_phone"),
    ('{ "session_days" = 3 }', "process-wide"),
    ('{ "hall.nope" = "x" }', "unknown setting 'hall.nope'"),
])
def test_invalid_tenant_overlay_refused_and_nothing_written(cli, tmp_path, platform, settings, needle):
    f = _tree(tmp_path, f'''
[[tenants]]
code = "360100"
parent = "360000"
name = "南昌市改"
level = "city"
settings = {settings}
''')

    def count() -> int:
        with platform.db.session(Scope.system()) as s:
            return s.scalar(select(func.count()).select_from(TenantSetting)) or 0

    before = count()
    r = cli("tenants", "apply", str(f))
    assert r.exit_code == 1
    assert needle in r.output and "line 3" in r.output
    assert count() == before
    platform.refresh(force=True)
    assert platform.directory.get("360100").name == "南昌市"


def test_settings_show_unknown_tenant(cli):
    r = cli("settings", "show", "--tenant", "999999")
    assert r.exit_code == 2 and "999999" in r.output
