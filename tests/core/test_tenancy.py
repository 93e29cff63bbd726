"""`govhall tenants apply|tree|move` and tenant resolution, on the real Jiangxi tree."""
# ruff: noqa: E501  (tables of tree-file snippets read better unwrapped)

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from core.db import Scope
from core.demo import JIANGXI
from core.platform import Platform
from core.settings import load_settings
from core.tenancy.models import Department, PluginState, Tenant, TenantSetting

HEAD = "version = 1\n"


def _file(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "tree.toml"
    p.write_text(HEAD + body, encoding="utf-8")
    return p


def _counts(platform: Platform) -> dict[str, int]:
    with platform.db.session(Scope.system()) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Tenant, Department, PluginState, TenantSetting)}


def _names(platform: Platform) -> dict[str, tuple[str, str]]:
    with platform.db.session(Scope.system()) as s:
        return {c: (n, p) for c, n, p in s.execute(select(Tenant.code, Tenant.name, Tenant.path))}


def test_reapplying_jiangxi_is_idempotent(cli, platform):
    before = _counts(platform)
    r = cli("tenants", "apply", str(JIANGXI))
    assert r.exit_code == 0, r.output
    assert "created 0, changed 0, left" in r.output
    assert "created  " not in r.output and "changed  " not in r.output
    assert _counts(platform) == before


def test_apply_reports_created_changed_left(cli, tmp_path, platform):
    f = _file(tmp_path, '''
[[tenants]]
code = "360102"
parent = "360100"
name = "东湖区"
name_en = "Donghu District (renamed)"
level = "county"

[[tenants]]
code = "360102901"
parent = "360102"
name = "试点街道"
name_en = "Pilot Subdistrict"
level = "township"
plugins = { credit = "off" }
departments = [{ code = "office", name = "党政办", name_en = "Office" }]

[[tenants]]
code = "360103"
parent = "360100"
name = "西湖区"
name_en = "Xihu District"
level = "county"
''')
    r = cli("tenants", "apply", str(f))
    assert r.exit_code == 0, r.output
    assert "created  360102901 试点街道" in r.output
    assert "changed  360102 东湖区: name_en" in r.output
    assert "created 1, changed 1, left 1 unchanged" in r.output
    again = cli("tenants", "apply", str(f))
    assert "created 0, changed 0, left 3 unchanged" in again.output
    platform.refresh(force=True)
    t = platform.directory.get("360102901")
    assert t.path == "360000/360100/360102/360102901"
    assert "credit" not in platform.enabled(t)


BAD_FILES = {
    "malformed": ('\n[[tenants]]\ncode = "360102901"\nname = "未闭合\n', "not valid TOML", "line 5"),
    "unknown_parent": ('\n[[tenants]]\ncode = "360102901"\nparent = "369999"\nname = "甲"\nlevel = "township"\n',
                       "unknown parent '369999'", "line 3"),
    "duplicate": ('\n[[tenants]]\ncode = "360102901"\nparent = "360102"\nname = "甲"\nlevel = "township"\n'
                  '\n[[tenants]]\ncode = "360102901"\nparent = "360102"\nname = "乙"\nlevel = "township"\n',
                  "duplicate code, first used at line 3", "line 9"),
    "cycle": ('\n[[tenants]]\ncode = "360102901"\nparent = "360102902"\nname = "甲"\nlevel = "township"\n'
              '\n[[tenants]]\ncode = "360102902"\nparent = "360102901"\nname = "乙"\nlevel = "township"\n',
              "cycle", "line 3"),
    "cycle_through_db": ('\n[[tenants]]\ncode = "360100"\nparent = "360102"\nname = "南昌市"\nlevel = "city"\n',
                         "cycle", "line 3"),
    "unknown_plugin": ('\n[[tenants]]\ncode = "360102"\nparent = "360100"\nname = "东湖区"\nlevel = "county"\n'
                       'plugins = { nosuch = "on" }\n', "unknown plugin 'nosuch'", "line 3"),
    "bad_level": ('\n[[tenants]]\ncode = "360102901"\nparent = "360102"\nname = "甲"\nlevel = "hamlet"\n',
                  "level", "line 3"),
    "code_length": ('\n[[tenants]]\ncode = "360102901"\nparent = "360102"\nname = "甲"\nlevel = "village"\n',
                    "a village code has 12 digits", "line 3"),
    "level_order": ('\n[[tenants]]\ncode = "360199"\nparent = "360102"\nname = "甲"\nlevel = "county"\n',
                    "cannot sit under", "line 3"),
    "bad_setting": ('\n[[tenants]]\ncode = "360102"\nparent = "360100"\nname = "东湖区"\nlevel = "county"\n'
                    'settings = { "hall.contact_phone" = [1] }\n', "hall.contact_phone", "line 3"),
    "lock_inherit": ('\n[[tenants]]\ncode = "360102"\nparent = "360100"\nname = "东湖区"\nlevel = "county"\n'
                     'lock = ["credit"]\n', "lock 'credit'", "line 3"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_tree_file_names_the_line_and_changes_nothing(cli, tmp_path, platform, case):
    # A valid first entry: a bad file must not leave it half-applied.
    body, needle, line = BAD_FILES[case]
    valid = '\n[[tenants]]\ncode = "360103"\nparent = "360100"\nname = "西湖区（改）"\nlevel = "county"\n'
    if case not in ("malformed",):
        body = body + valid
    f = _file(tmp_path, body)
    before_counts, before_names = _counts(platform), _names(platform)
    r = cli("tenants", "apply", str(f))
    assert r.exit_code == 1, r.output
    assert needle in r.output, r.output
    assert line in r.output, r.output
    assert str(f) in r.output
    assert _counts(platform) == before_counts
    assert _names(platform) == before_names


def test_unreadable_file_is_a_clean_error(cli, tmp_path):
    r = cli("tenants", "apply", str(tmp_path / "missing.toml"))
    assert r.exit_code == 1 and "cannot read" in r.output


def test_tree_with_depth(cli):
    r = cli("tenants", "tree", "360100", "--depth", "1")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("360100 南昌市")
    assert any("360102 东湖区" in line for line in lines)
    assert not any("360102015" in line for line in lines)  # townships are two levels down
    full = cli("tenants", "tree", "360102").output
    assert "360102015001" in full and "└── " in full
    whole = cli("tenants", "tree", "--depth", "0").output.strip()
    assert whole.startswith("360000 江西省") and len(whole.splitlines()) == 1
    assert cli("tenants", "tree", "999999").exit_code == 2
    assert cli("tenants", "tree", "--depth", "-1").exit_code == 2


def test_move_subtree_repaths_tree_and_data(cli, platform):
    # Every table carrying tenant_path (tenant-owned rows, grants) is found by inspection and re-pathed.
    with platform.db.transaction(Scope.system()) as s:
        s.execute(text("CREATE TABLE move_probe (id INTEGER PRIMARY KEY, tenant_id INTEGER, "
                       "tenant_path VARCHAR(200))"))
        for i, p in enumerate(["360000/360100/360102", "360000/360100/360102/360102015/360102015001",
                               "360000/360100/360103", "360000/360100/3601020"]):
            s.execute(text("INSERT INTO move_probe VALUES (:i, 0, :p)"), {"i": i, "p": p})
    r = cli("tenants", "move", "360102", "--to", "360200")
    assert r.exit_code == 0, r.output
    assert "moved 360102 under 360200" in r.output
    platform.refresh(force=True)
    d = platform.directory
    assert d.get("360102").path == "360000/360200/360102"
    assert d.get("360102015001").path == "360000/360200/360102/360102015/360102015001"
    assert d.get("360102").parent_id == d.get("360200").id
    assert [k.code for k in d.kids(d.get("360100"))].count("360102") == 0
    with platform.db.session(Scope.system()) as s:
        paths = [p for (p,) in s.execute(text("SELECT tenant_path FROM move_probe ORDER BY id"))]
    assert paths == ["360000/360200/360102", "360000/360200/360102/360102015/360102015001",
                     "360000/360100/360103", "360000/360100/3601020"]


@pytest.mark.parametrize(("code", "to", "needle"), [
    ("360100", "360102", "below itself"),
    ("360102", "360103", "cannot be placed under"),
    ("360102", "360102015", "below itself"),
    ("360000", "360100", "root"),
    ("360102", "999999", "unknown tenant"),
])
def test_move_refused_changes_nothing(cli, platform, code, to, needle):
    before = _names(platform)
    r = cli("tenants", "move", code, "--to", to)
    assert r.exit_code == 1
    assert needle in r.output
    assert _names(platform) == before


def test_host_map_resolves_a_tenant(db_url, tmp_path):
    from starlette.testclient import TestClient

    from core.app import create_app

    settings = load_settings(overrides={"database_url": db_url, "data_dir": str(tmp_path), "env": "test",
                                        "host_map": {"donghu.example.cn": "360102"}})
    app = create_app(platform=Platform.start(settings))
    with TestClient(app, follow_redirects=False) as c:
        r = c.get("/", headers={"host": "donghu.example.cn"})
        assert r.status_code == 302 and r.headers["location"] == "/t/360102/"
        other = c.get("/", headers={"host": "elsewhere.example.cn"})
        assert other.headers["location"].endswith("/t/360000/")


def test_resolution_by_code_and_unknown(platform):
    d = platform.directory
    t = d.get("360102")
    assert (t.name, t.level, t.path) == ("东湖区", "county", "360000/360100/360102")
    assert [a.code for a in d.ancestors(t)] == ["360000", "360100", "360102"]
    assert d.get("999999") is None
