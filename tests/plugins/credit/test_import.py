"""``govhall credit import FILE``: CSV and JSON, row-level errors with row numbers, all or nothing."""

from __future__ import annotations

import json

from credit_helpers import ACME, BETA
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.db import Scope
from plugins.credit.models import CreditRecord

HEADER = ("subject_kind,subject_code,subject_name,title,decision_number,severity,source_department,"
          "decision_date")


def _count(platform, model=CreditRecord):
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_csv_import_publishes_every_row(cli, platform, tmp_path):
    f = tmp_path / "penalties.csv"
    f.write_text(HEADER + f"\nlegal,{ACME},甲公司,无证经营,罚1,general,市场监管局,2026-10-01\n"
                 f"legal,{BETA},乙公司,虚假宣传,罚2,SERIOUS,市场监管局,2026-09-01\n", encoding="utf-8")
    r = cli("credit", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 0, r.output
    assert "imported 2 penalties at 360102" in r.output
    with platform.db.session(Scope.system()) as s:
        rows = s.scalars(select(CreditRecord).order_by(CreditRecord.decision_number)).all()
    assert [(x.subject_code, x.severity, x.tenant_path) for x in rows] == [
        (ACME, "general", "360000/360100/360102"), (BETA, "serious", "360000/360100/360102")]


def test_bad_rows_are_listed_with_row_numbers_and_nothing_is_written(cli, platform, tmp_path):
    bad_code = ACME[:-1] + ("0" if ACME[-1] != "0" else "1")
    f = tmp_path / "penalties.csv"
    f.write_text(HEADER + f"\nlegal,{ACME},甲公司,无证经营,罚1,general,市场监管局,2026-10-01\n"
                 f"legal,{bad_code},乙公司,虚假宣传,罚2,general,市场监管局,2026-09-01\n"
                 f"legal,{BETA},丙公司,虚假宣传,罚3,huge,市场监管局,2026-13-01\n"
                 f"legal,{BETA},丁公司,虚假宣传,罚1,general,市场监管局,2026-09-01\n", encoding="utf-8")
    audit_before = _count(platform, AuditEntry)
    r = cli("credit", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 1
    out = r.output
    assert "nothing was imported" in out
    assert f"row 3: subject_code: invalid unified social credit code '{bad_code}'" in out
    assert "row 4: severity" in out and "row 4: decision_date" in out
    assert "row 5: decision_number: duplicates row 2" in out
    assert "row 2:" not in out
    assert _count(platform) == 0 and _count(platform, AuditEntry) == audit_before


def test_json_import_and_json_errors(cli, platform, tmp_path):
    good = [{"subject_kind": "legal", "subject_code": ACME, "subject_name": "甲公司", "title": "无证经营",
             "decision_number": "J1", "severity": "minor", "source_department": "市场监管局",
             "decision_date": "2026-11-01"}]
    f = tmp_path / "p.json"
    f.write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    assert cli("credit", "import", str(f), "--tenant", "360103").exit_code == 0
    f.write_text(json.dumps([good[0], "x", {**good[0], "decision_number": "J2", "extra": 1}]),
                 encoding="utf-8")
    r = cli("credit", "import", str(f), "--tenant", "360103")
    assert r.exit_code == 1
    assert "row 1: decision_number" in r.output  # already published at Xihu
    assert "row 2: row: must be an object" in r.output and "row 3: extra" in r.output
    f.write_text("{not json", encoding="utf-8")
    r = cli("credit", "import", str(f), "--tenant", "360103")
    assert r.exit_code == 1 and "not valid JSON" in r.output
    assert _count(platform) == 1


def test_import_refuses_unknown_tenant_other_formats_and_disabled_tenants(cli, platform, tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("x", encoding="utf-8")
    assert cli("credit", "import", str(f), "--tenant", "360102").exit_code == 1
    g = tmp_path / "p.csv"
    g.write_text(HEADER + "\n", encoding="utf-8")
    r = cli("credit", "import", str(g), "--tenant", "999999")
    assert r.exit_code == 2 and "999999" in r.output
    r = cli("credit", "import", str(g), "--tenant", "360102")
    assert r.exit_code == 1 and "no rows" in r.output
    from credit_helpers import switch

    switch(platform, "360103", "credit", "off")
    r = cli("credit", "import", str(g), "--tenant", "360103")
    assert r.exit_code == 1 and "not enabled" in r.output
