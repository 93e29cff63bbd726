"""The shared import reader (core.imports) behind `govhall credit import` and `govhall approval import`:
encodings, row numbers counted the same way by both, a bad JSON cell named by its row, progress, audit."""
# ruff: noqa: E501  (rows of import files read better unwrapped)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core import audit
from core.db import Scope
from plugins.credit.subjects import make_uscc

ACME = make_uscc("91360102MA3512345")
BETA = make_uscc("91360103MA3512346")
CREDIT_HEADER = "subject_kind,subject_code,subject_name,title,decision_number,severity,source_department,decision_date"
ITEM_HEADER = "code,name,item_type,entrance,department_code,statutory_days,promised_days,materials"


def _credit_rows(*numbers: str) -> list[str]:
    return [f"legal,{ACME if i % 2 == 0 else BETA},甲公司{i},无证经营,{n},general,市场监管局,2026-10-01"
            for i, n in enumerate(numbers)]


def _item_rows(*codes: str) -> list[str]:
    return [f'{c},食品经营许可{c},licence,legal,scjgj,20,10,"[{{""code"": ""m1"", ""name"": ""申请表""}}]"'
            for c in codes]


IMPORTS: dict[str, tuple[str, Any]] = {
    "credit": (CREDIT_HEADER, _credit_rows),
    "approval": (ITEM_HEADER, _item_rows),
}


def _run(cli: Any, which: str, f: Path) -> Any:
    return cli(which, "import", str(f), "--tenant", "360102")


def _count(platform: Any, which: str) -> int:
    from plugins.approval.models import ServiceItem
    from plugins.credit.models import CreditRecord

    model = CreditRecord if which == "credit" else ServiceItem
    with platform.db.session(Scope.system()) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_a_gbk_csv_is_detected_and_imported(cli, platform, tmp_path, which):
    """Excel on a Chinese Windows saves CSV as GBK: read it, and say how it was read."""
    header, rows = IMPORTS[which]
    f = tmp_path / "gbk.csv"
    f.write_bytes("\n".join([header, *rows("A1", "A2", "A3")]).encode("gbk"))
    r = _run(cli, which, f)
    assert r.exit_code == 0, r.output
    assert "read as GB18030 (detected)" in r.output
    assert _count(platform, which) == 3


def test_a_short_gbk_file_is_not_mistaken_for_big5(cli, platform, tmp_path):
    """Statistical detection calls a three-character name Big5 or Korean; simplified Chinese wins."""
    f = tmp_path / "one.csv"
    f.write_bytes("\n".join([CREDIT_HEADER, f"legal,{ACME},甲公司,无证,罚9,minor,市监局,2026-10-01"]).encode("gbk"))
    r = _run(cli, "credit", f)
    assert r.exit_code == 0, r.output
    from plugins.credit.models import CreditRecord

    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(CreditRecord.subject_name)) == "甲公司"


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_a_file_in_another_encoding_is_refused_with_what_to_do(cli, platform, tmp_path, which):
    header, _rows = IMPORTS[which]
    f = tmp_path / "latin.csv"
    f.write_bytes((header + "\nlegal,Café Müller,Société générale,Crème brûlée,déjà vu\n" * 3).encode("cp1252"))
    r = _run(cli, which, f)
    assert r.exit_code == 1
    assert "latin.csv is not UTF-8 text (line 2 is the first that is not)" in r.output
    assert "save it as UTF-8" in r.output
    assert "Traceback" not in r.output
    assert _count(platform, which) == 0


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_a_byte_order_mark_is_accepted(cli, platform, tmp_path, which):
    header, rows = IMPORTS[which]
    f = tmp_path / "bom.csv"
    f.write_bytes("\ufeff".encode() + "\n".join([header, *rows("B1")]).encode())
    r = _run(cli, which, f)
    assert r.exit_code == 0, r.output
    assert "detected" not in r.output


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_both_importers_count_csv_rows_as_lines_of_the_file(cli, platform, tmp_path, which):
    """Header is line 1; a blank line still counts; a row with too many cells is named, not dropped."""
    header, rows = IMPORTS[which]
    good = rows("C1", "C2", "C3")
    f = tmp_path / "rows.csv"
    f.write_text("\n".join([header, good[0], "", good[1] + ",surplus", good[2]]) + "\n", encoding="utf-8")
    r = _run(cli, which, f)
    assert r.exit_code == 1
    assert "row 4: row: has" in r.output and "but the header names" in r.output
    assert "nothing was imported" in r.output and "row 2:" not in r.output and "row 5:" not in r.output
    assert _count(platform, which) == 0


@pytest.mark.parametrize("which", sorted(IMPORTS))
def test_both_importers_count_json_rows_from_one(cli, platform, tmp_path, which):
    f = tmp_path / "rows.json"
    f.write_text(json.dumps([{"code": "x"} if which == "approval" else {"subject_kind": "legal"}, "not a row"]),
                 encoding="utf-8")
    r = _run(cli, which, f)
    assert r.exit_code == 1
    assert "row 1: " in r.output and "row 2: row: must be an object" in r.output


def test_a_bad_json_cell_in_the_catalogue_names_its_row_and_column(cli, platform, tmp_path):
    f = tmp_path / "items.csv"
    good = _item_rows("D1", "D2")
    f.write_text("\n".join([ITEM_HEADER, good[0], 'D3,名称,licence,legal,scjgj,20,10,"[{""code"": ]"', good[1]]),
                 encoding="utf-8")
    r = _run(cli, "approval", f)
    assert r.exit_code == 1
    assert "row 3: materials: not valid JSON" in r.output
    assert _count(platform, "approval") == 0


def test_an_import_shows_progress_and_is_audited(cli, platform, tmp_path):
    f = tmp_path / "items.csv"
    f.write_text("\n".join([ITEM_HEADER, *_item_rows("E1", "E2", "E3")]), encoding="utf-8")
    r = _run(cli, "approval", f)
    assert r.exit_code == 0, r.output
    assert "importing" in r.output  # the progress bar's label (a bar on a terminal)
    with platform.db.session(Scope.system()) as s:
        entries = s.execute(select(audit.AuditEntry.target, audit.AuditEntry.tenant_path)
                            .where(audit.AuditEntry.action == "approval.item.publish")
                            .order_by(audit.AuditEntry.seq)).all()
        assert audit.verify(s).ok
    assert [e.target for e in entries] == ["approval.item:E1", "approval.item:E2", "approval.item:E3"]
    assert {e.tenant_path for e in entries} == {"360000/360100/360102"}
    from plugins.approval import catalogue

    donghu = platform.directory.get("360102")
    with platform.db.session(donghu.scope) as s:  # written set-based, found like any other item
        found = catalogue.search(s, "经营许可E2")
        assert [i.code for i in found] == ["E2"] and [m.name for m in found[0].materials] == ["申请表"]
    g = tmp_path / "penalties.csv"
    g.write_text("\n".join([CREDIT_HEADER, *_credit_rows("F1", "F2")]), encoding="utf-8")
    r = _run(cli, "credit", g)
    assert r.exit_code == 0 and "importing" in r.output
