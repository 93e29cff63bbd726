"""The console's tree, plugin rows, switches and audit filter, without HTTP (real database)."""

from __future__ import annotations

import pytest

from core import audit
from core.contracts import PluginInfo
from core.db import Scope
from core.tenancy.directory import Directory, StateRow, TenantRef
from core.tenancy.service import TenancyError
from core.web.console import SwitchForm, apply_switch, audit_page, children_page, plugin_rows, search_subtree


def test_search_finds_by_name_and_code_within_the_subtree_only(platform):
    d = platform.directory
    province, jingdezhen = d.get("360000"), d.get("360200")
    hits, more = search_subtree(d, province, "东湖")
    assert "360102" in [t.code for t in hits] and not more
    assert search_subtree(d, jingdezhen, "东湖") == ([], False)  # Donghu is not below Jingdezhen
    by_code, _ = search_subtree(d, province, "3601")
    assert by_code[0].code == "360100"  # shallowest first
    assert all(t.code.startswith("3601") for t in by_code)
    english, _ = search_subtree(d, province, "donghu")
    assert "360102" in [t.code for t in english]
    assert search_subtree(d, province, "   ") == ([], False)


def _synthetic_province(villages_per_township: int = 20) -> Directory:
    """1 province, 11 cities, 110 counties, 1,100 townships, 22,000 villages: the source's scale."""
    nodes = [TenantRef(1, "360000", "360000", "province", "government", "江西省", "Jiangxi", None)]
    next_id = 2

    def add(parent: TenantRef, code: str, level: str, name: str) -> TenantRef:
        nonlocal next_id
        t = TenantRef(next_id, code, f"{parent.path}/{code}", level, "government", name, name, parent.id)
        next_id += 1
        nodes.append(t)
        return t

    for c in range(1, 12):
        city = add(nodes[0], f"36{c:02d}00", "city", f"第{c}市")
        for k in range(1, 11):
            county = add(city, f"36{c:02d}{k:02d}", "county", f"第{c}市第{k}县")
            for s in range(1, 11):
                town = add(county, f"36{c:02d}{k:02d}{s:03d}", "township", f"{county.name}第{s}镇")
                for v in range(1, villages_per_township + 1):
                    add(town, f"{town.code}{v:03d}", "village", f"{town.name}第{v}村")
    return Directory(1, nodes, {}, {}, {})


def test_search_and_children_at_twenty_thousand_villages():
    d = _synthetic_province()
    assert len(d.by_id) > 23_000
    root = d.roots()[0]
    hits, more = search_subtree(d, root, "第7镇第3村", limit=50)
    assert len(hits) == 50 and more  # 110 match; the page holds the first 50
    assert all(h.level == "village" for h in hits)
    exact, more = search_subtree(d, root, "360507003012")
    assert [t.code for t in exact] == ["360507003012"] and not more
    kids, pages = children_page(d, d.get("360507003"), 1)
    assert len(kids) == 20 and pages == 1


def test_children_are_paginated():
    d = _synthetic_province(villages_per_township=250)
    town = d.get("360101001")
    first, pages = children_page(d, town, 1)
    last, _ = children_page(d, town, 99)  # clamped to the last page
    assert pages == 3 and len(first) == 100 and len(last) == 50
    assert first[0].code == "360101001001" and last[-1].code == "360101001250"


def test_plugin_rows_say_where_each_state_comes_from(platform):
    d = platform.directory
    rows = {r.name: r for r in plugin_rows(d, d.get("360102"))}
    assert rows["hall"].origin_kind == "required" and not rows["hall"].switchable
    assert rows["supervision"].origin_kind == "locked_above"  # jiangxi.toml locks it at the province
    assert rows["supervision"].origin.code == "360000" and not rows["supervision"].switchable
    assert rows["approval"].origin_kind == "inherited" and rows["approval"].origin.code == "360000"
    assert rows["approval"].explicit == "inherit"
    top = {r.name: r for r in plugin_rows(d, d.get("360000"))}
    assert top["supervision"].origin_kind == "locked_here" and top["supervision"].switchable
    assert top["approval"].origin_kind == "here" and top["approval"].explicit == "on"


def test_a_plugin_without_settings_shows_its_default():
    plugins = {"xx": PluginInfo(name="xx", title_zh="x", title_en="x", version="1", default_enabled=True)}
    d = Directory(1, [TenantRef(1, "360000", "360000", "province", "government", "江西省", "", None)],
                  {}, {}, plugins)
    [row] = plugin_rows(d, d.get("360000"))
    assert row.origin_kind == "default" and row.enabled and row.origin is None
    d2 = Directory(1, [TenantRef(1, "360000", "360000", "province", "government", "江西省", "", None)],
                   {1: {"xx": StateRow(False, False)}}, {}, plugins)
    assert plugin_rows(d2, d2.get("360000"))[0].origin_kind == "here"


def test_switch_off_for_one_county_leaves_the_sibling_and_is_audited(platform):
    d = platform.directory
    donghu = d.get("360102")
    message = apply_switch(platform, donghu, SwitchForm(plugin="credit", state="off"), "staff:admin")
    assert "-> off" in message
    assert "credit" not in platform.enabled(platform.directory.get("360102"))
    assert "credit" in platform.enabled(platform.directory.get("360103"))
    with platform.db.session(Scope.below(donghu.id, donghu.path)) as s:
        rows, _ = audit_page(s, donghu, before=None, action="plugin.switch")
    assert rows[0].actor == "staff:admin" and rows[0].target == "plugin:credit"
    back = apply_switch(platform, donghu, SwitchForm(plugin="credit", state="inherit"), "staff:admin")
    assert "off -> inherit" in back
    assert "credit" in platform.enabled(platform.directory.get("360102"))


@pytest.mark.parametrize(("code", "form", "zh"), [
    ("360102", SwitchForm(plugin="supervision", state="off"), "已被上级"),  # locked at the province
    ("360102", SwitchForm(plugin="hall", state="off"), "不能关闭"),  # part of the hall
    ("360102", SwitchForm(plugin="credit", state="inherit", lock=True), "只有“开启”或“关闭”可以锁定"),
    ("360102", SwitchForm(plugin="nosuch", state="on"), "未安装的插件"),
])
def test_refused_switches_are_explained_in_chinese_and_change_nothing(platform, code, form, zh):
    tenant = platform.directory.get(code)
    before = platform.directory.version
    with pytest.raises(TenancyError) as info:
        apply_switch(platform, tenant, form, "staff:admin")
    assert zh in info.value.message_zh
    platform.refresh()
    assert platform.directory.version == before


def test_lock_for_the_subtree_binds_the_counties_below(platform):
    nanchang = platform.directory.get("360100")
    apply_switch(platform, nanchang, SwitchForm(plugin="credit", state="off", lock=True), "staff:admin")
    donghu = platform.directory.get("360102")
    with pytest.raises(TenancyError) as info:
        apply_switch(platform, donghu, SwitchForm(plugin="credit", state="on"), "staff:county")
    assert "南昌市" in info.value.message_zh
    assert "credit" in platform.enabled(platform.directory.get("360200"))  # other city untouched


def test_audit_log_is_filtered_to_the_subtree_and_paginated(platform):
    d = platform.directory
    with platform.db.transaction(Scope.system()) as s:
        for code in ("360102", "360103", "360200", "360000", "360102", "360100"):
            audit.record(s, actor="t", action="test.mark", tenant=d.get(code), target=f"at:{code}")
    nanchang = d.get("360100")
    with platform.db.session(nanchang.subtree_scope) as s:
        rows, nxt = audit_page(s, nanchang, before=None, action="test.")
        assert [r.target for r in rows] == ["at:360100", "at:360102", "at:360103", "at:360102"]
        assert nxt is None
        first, nxt = audit_page(s, nanchang, before=None, action="test.", limit=3)
        assert len(first) == 3 and nxt == first[-1].id
        rest, nxt2 = audit_page(s, nanchang, before=nxt, action="test.", limit=3)
        assert [r.target for r in rest] == ["at:360102"] and nxt2 is None
        assert audit_page(s, nanchang, before=None, action="test.%")[0] == []  # LIKE characters are literal


def test_a_switch_made_on_a_stale_page_is_refused(platform):
    donghu = platform.directory.get("360102")
    # administrator A's page showed "inherit"; administrator B switches credit off meanwhile
    apply_switch(platform, donghu, SwitchForm(plugin="credit", state="off", seen="inherit"), "staff:b")
    with pytest.raises(TenancyError) as info:
        apply_switch(platform, donghu, SwitchForm(plugin="credit", state="on", seen="inherit"), "staff:a")
    assert "已被他人改为“off”" in info.value.message_zh
    assert "credit" not in platform.enabled(platform.directory.get("360102"))  # B's change stands
    apply_switch(platform, donghu, SwitchForm(plugin="credit", state="on", seen="off"), "staff:a")
    assert "credit" in platform.enabled(platform.directory.get("360102"))
