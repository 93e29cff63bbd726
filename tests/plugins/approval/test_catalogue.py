"""Catalogue: versions, provincial basic catalogue and claims, bigram search, import with row errors."""

from __future__ import annotations

import json

from approval_helpers import FOOD, MONDAY, ctx, food_uploads, in_scope, who
from sqlalchemy import func, select

from core.db import Scope
from plugins.approval import catalogue, clock, services
from plugins.approval.models import Application, BasicItem, ServiceItem
from plugins.approval.schemas import ItemIn


def test_bigram_tokens_and_search(platform, donghu, items):
    assert catalogue.tokens("食品经营许可") == {"食品", "品经", "经营", "营许", "许可"}
    assert catalogue.tokens("ID card 证") == {"id", "card", "证"}
    with platform.db.session(donghu.scope) as s:
        assert [i.code for i in catalogue.search(s, "经营许可")] == ["DH-SP-001"]
        assert [i.code for i in catalogue.search(s, "餐饮")] == ["DH-SP-001"]  # a keyword
        assert catalogue.search(s, "许可经营") == []  # "可经" is not a bigram of the name
        assert [i.code for i in catalogue.search(s, "登记", entrance="personal")] == ["DH-WJ-002"]
        assert {i.code for i in catalogue.search(s, "")} == {"DH-SP-001", "DH-WJ-002", "DH-FG-003"}


def test_search_is_tenant_scoped(platform, donghu, xihu, items):
    with platform.db.session(xihu.scope) as s:
        assert catalogue.search(s, "食品") == []


def test_new_version_keeps_old_applications_on_theirs(platform, donghu, items):
    with in_scope(platform, donghu) as s:
        old = services.submit(
            s, ctx(platform, donghu, who()), "DH-SP-001", {"shop_name": "x"}, food_uploads()
        )
    changed = ItemIn.model_validate({**FOOD, "promised_days": 5})
    with in_scope(platform, donghu) as s:
        draft = catalogue.new_version(s, donghu, changed)
        assert draft.version_no == 2 and catalogue.get_item(s, "DH-SP-001").version_no == 1
        catalogue.publish(s, draft, MONDAY)
    with in_scope(platform, donghu) as s:
        now = catalogue.get_item(s, "DH-SP-001")
        assert now.version_no == 2 and now.promised_days == 5
        prev = s.scalar(
            select(ServiceItem).where(ServiceItem.code == "DH-SP-001", ServiceItem.version_no == 1)
        )
        assert prev.status == "retired" and prev.valid_to == MONDAY
        app = s.get(Application, old.id)
        assert app.item_version_no == 1 and app.item_id == prev.id
        assert [i.version_no for i in catalogue.search(s, "食品")] == [2]


def test_step_figures_serial_vs_parallel():
    steps = [
        {"department_code": "a", "days": 10, "role": "lead"},
        {"department_code": "b", "days": 15, "role": "co"},
        {"department_code": "b", "days": 3, "role": "co"},
        {"department_code": "c", "days": 5, "role": "co"},
    ]
    f = clock.step_figures(steps)
    assert (f.serial, f.parallel, f.longest_co, f.co_departments) == (33, 28, 18, 2)


def test_demo_investment_project_is_232_serial_under_30_parallel():
    from plugins.approval.demo import PROJECT_STEPS

    f = clock.step_figures(PROJECT_STEPS)
    assert f.serial == 232 and f.parallel < 30


def _row(code, **kw):
    return {
        "code": code,
        "name": "建筑工程施工许可",
        "item_type": "licence",
        "entrance": "legal",
        "department_code": "zjt",
        "statutory_days": 15,
        "promised_days": 7,
        **kw,
    }


def test_import_json_at_province_builds_basic_catalogue_and_county_claims(cli, platform, tmp_path):
    province_file = tmp_path / "prov.json"
    province_file.write_text(
        json.dumps(
            [
                _row("JX-001", legal_basis="《建筑法》第七条"),
                _row("JX-002", name="食品生产许可", department_code="scjgj"),
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    r = cli("approval", "import", str(province_file), "--tenant", "360000")
    assert r.exit_code == 0, r.output
    county = tmp_path / "county.csv"
    county.write_text(
        "code,name,item_type,entrance,department_code,statutory_days,promised_days,basic_code,"
        "materials\n"
        'DH-001,随便写的名字,filing,legal,zjj,15,5,JX-001,"[{""code"": ""a"", ""name"": ""申请表""}]"\n',
        encoding="utf-8",
    )
    r = cli("approval", "import", str(county), "--tenant", "360102")
    assert r.exit_code == 0, r.output
    donghu = platform.directory.get("360102")
    with platform.db.session(donghu.scope) as s:
        item = catalogue.get_item(s, "JX-001")  # the claim carries the basic item's fixed elements
        assert (
            item.name == "建筑工程施工许可"
            and item.item_type == "licence"
            and item.legal_basis == "《建筑法》第七条"
        )
        assert item.promised_days == 5 and item.department_code == "zjj" and item.basic_item_id
        assert [m.name for m in item.materials] == ["申请表"]
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(BasicItem)) == 2


def test_import_row_errors_write_nothing(cli, platform, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                _row("OK-1"),
                _row("BAD-2", item_type="nonsense"),
                _row("BAD-3", promised_days=30),
                _row("OK-1"),
                _row("BAD-5", colour="red"),
            ]
        ),
        encoding="utf-8",
    )
    r = cli("approval", "import", str(bad), "--tenant", "360102")
    assert r.exit_code == 1
    out = r.output
    assert "row 2: item_type" in out and "row 3: promised_days" in out and "row 4: code" in out
    assert "row 5: colour" in out and "nothing was imported" in out
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps([_row("X-1", basic_code="NOT-THERE")]), encoding="utf-8")
    r = cli("approval", "import", str(claim), "--tenant", "360102")
    assert r.exit_code == 1 and "basic_code" in r.output
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(ServiceItem)) == 0
