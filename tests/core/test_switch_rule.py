"""One rule for a plugin switch: the same switch is refused or accepted, and audited the same way,
whichever way it arrives — `govhall plugins`, the console (real HTTP), or `govhall tenants apply`."""
# ruff: noqa: E501  (the scenario table reads better unwrapped)

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.audit import AuditEntry
from core.db import Scope
from tests.factories import csrf_token, login, make_staff

# name: (preconditions as `govhall plugins` args, plugin, state, lock, refused-because or audit details)
LOCKED = ("locked by 360000", "已被上级 江西省（360000）锁定")
SCENARIOS: dict[str, tuple[list[tuple[str, ...]], str, str, bool, tuple[str, str] | dict[str, str]]] = {
    "locked_by_the_province_in_the_tree_file": ([], "supervision", "off", False, LOCKED),
    "locked_by_the_province_just_now": ([("enable", "credit", "--tenant", "360000", "--lock")], "credit", "off",
                                        False, LOCKED),
    "required_plugin_off": ([], "hall", "off", False, ("cannot be switched off", "是办事大厅的组成部分，不能关闭")),
    "plain_off": ([], "credit", "off", False, {"before": "inherit", "after": "off"}),
    "off_and_locked_for_the_subtree": ([], "credit", "off", True, {"before": "inherit", "after": "off locked"}),
    "back_to_inherit": ([("disable", "credit", "--tenant", "360102")], "credit", "inherit", False,
                        {"before": "off", "after": "inherit"}),
}
DONGHU = 'code = "360102"\nparent = "360100"\nname = "东湖区"\nname_en = "Donghu District"\nlevel = "county"\n'


def _via_cli(cli: Any, app: Any, tmp_path: Path, plugin: str, state: str, lock: bool) -> tuple[bool, str]:
    verb = {"on": "enable", "off": "disable", "inherit": "inherit"}[state]
    r = cli("plugins", verb, plugin, "--tenant", "360102", *(["--lock"] if lock else []))
    return r.exit_code == 0, r.output


def _via_console(cli: Any, app: Any, tmp_path: Path, plugin: str, state: str, lock: bool) -> tuple[bool, str]:
    with TestClient(app, follow_redirects=False) as c:
        login(c, "padmin")
        data = {"plugin": plugin, "state": state, "csrf_token": csrf_token(c, "/t/360102/console/")}
        if lock:
            data["lock"] = "true"
        r = c.post("/t/360102/console/plugins", data=data)
    return r.status_code == 303, r.text


def _via_apply(cli: Any, app: Any, tmp_path: Path, plugin: str, state: str, lock: bool) -> tuple[bool, str]:
    f = tmp_path / "switch.toml"
    lock_line = f'lock = ["{plugin}"]\n' if lock else ""
    f.write_text(f'version = 1\n\n[[tenants]]\n{DONGHU}plugins = {{ {plugin} = "{state}" }}\n{lock_line}',
                 encoding="utf-8")
    r = cli("tenants", "apply", str(f))
    return r.exit_code == 0, r.output


PATHS = {"cli": _via_cli, "console": _via_console, "tenants_apply": _via_apply}


def _switch_entries(platform: Any, after_id: int) -> list[tuple[str, str, str, dict[str, str]]]:
    with platform.db.session(Scope.system()) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.id > after_id, AuditEntry.action == "plugin.switch")
                         .order_by(AuditEntry.id)).all()
        return [(r.action, r.target, r.tenant_path, r.details) for r in rows]


def _last_id(platform: Any) -> int:
    with platform.db.session(Scope.system()) as s:
        return int(s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0)


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_switch_gets_the_same_answer_and_audit_whichever_way_it_arrives(platform, app, cli, tmp_path,
                                                                          path, scenario):
    pre, plugin, state, lock, expected = SCENARIOS[scenario]
    make_staff(platform, "padmin", "360000", "comprehensive_admin", subtree=True)
    for args in pre:
        assert cli("plugins", *args).exit_code == 0
    platform.refresh(force=True)
    before = _last_id(platform)
    accepted, output = PATHS[path](cli, app, tmp_path, plugin, state, lock)
    entries = _switch_entries(platform, before)
    if isinstance(expected, tuple):  # refused, with the reason (English or Chinese), and nothing recorded
        assert not accepted, output
        assert expected[0] in output or expected[1] in output, output
        assert entries == []
    else:
        assert accepted, output
        assert entries == [("plugin.switch", f"plugin:{plugin}", "360000/360100/360102", expected)]


def test_a_file_that_locks_above_and_switches_below_is_refused_whole(cli, platform, tmp_path):
    """The file is applied top-down: its own province lock counts for its county line, as it would for
    the same switches made one by one; the refusal names the line and nothing is written."""
    f = tmp_path / "both.toml"
    f.write_text('version = 1\n\n[[tenants]]\ncode = "360000"\nname = "江西省"\nname_en = "Jiangxi Province"\n'
                 'level = "province"\nplugins = { approval = "on", supervision = "on", credit = "on" }\n'
                 'lock = ["supervision", "credit"]\n\n'
                 f'[[tenants]]\n{DONGHU}plugins = {{ credit = "off" }}\n', encoding="utf-8")
    before = _last_id(platform)
    r = cli("tenants", "apply", str(f))
    assert r.exit_code == 1
    assert "line 11 (tenant 360102): plugins.credit: plugin 'credit' is locked by 360000" in r.output
    assert str(f) in r.output and "nothing was changed" in r.output
    assert _last_id(platform) == before
    platform.refresh(force=True)
    assert not platform.directory.states.get(platform.directory.get("360000").id, {})["credit"].locked


def test_a_tree_file_with_a_byte_order_mark_is_applied(cli, platform, tmp_path):
    """Windows editors save UTF-8 with a BOM; the import commands accept it, and so does apply."""
    f = tmp_path / "bom.toml"
    f.write_bytes("\ufeffversion = 1\n\n[[tenants]]\n".encode() + DONGHU.encode()
                  + b'plugins = { credit = "off" }\n')
    r = cli("tenants", "apply", str(f))
    assert r.exit_code == 0, r.output
    assert "changed  360102 东湖区: plugins.credit" in r.output
    g = tmp_path / "gbk.toml"
    g.write_bytes(("version = 1\n\n[[tenants]]\n" + DONGHU).encode("gbk"))
    r = cli("tenants", "apply", str(g))
    assert r.exit_code == 1 and "gbk.toml is not UTF-8 text" in r.output and "save it as UTF-8" in r.output
