"""The feed mechanism without HTTP: natural keys, versions (late and out-of-order copies), per-record
rejection with the rest of the batch kept, derived columns through the legal clock, the file import."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from plugins.feeds import demo, imports, services
from plugins.feeds.models import Appointment, Case, Payment, RecordError

T1, T2, T3 = "2026-11-01T08:00:00+08:00", "2026-11-02T08:00:00+08:00", "2026-10-30T08:00:00+08:00"


def payment(no: str, cents: int = 100_00, when: str = T1, **kw):
    return {
        "payment_no": no,
        "line_code": "L1",
        "supplier_code": demo.supplier(1),
        "supplier_name": "供应商甲",
        "amount_cents": cents,
        "paid_on": "2026-11-01",
        "source_time": when,
        **kw,
    }


def send(platform, records, stream="fiscal.payment", code="360102"):
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        feed = services.receive(
            s, platform, tenant, stream, records, channel="api", sender="tests", department="fgw"
        )
        return feed


def test_resend_updates_never_duplicates_and_older_copies_never_win(platform):
    first = send(platform, [payment("P1"), payment("P2")])
    assert first.counts["inserted"] == 2
    again = send(platform, [payment("P1"), payment("P2")])
    assert again.counts == {**again.counts, "unchanged": 2, "inserted": 0, "updated": 0}
    newer = send(platform, [payment("P1", 200_00, T2)])
    assert newer.counts["updated"] == 1
    late = send(platform, [payment("P1", 50_00, T3)])  # an older copy arriving after the newer one
    assert late.counts["stale"] == 1
    tenant = platform.directory.get("360102")
    with platform.db.session(tenant.scope) as s:
        rows = s.execute(select(Payment.payment_no, Payment.amount_cents).order_by(Payment.payment_no)).all()
    assert rows == [("P1", 200_00), ("P2", 100_00)]


def test_a_malformed_record_is_rejected_with_its_row_and_the_rest_is_kept(platform):
    feed = send(
        platform,
        [
            payment("P1"),
            payment("P2", cents=-5),
            "not an object",
            payment("P3", department_code="nope"),
            payment("P4", supplier_code="123"),
            payment("P5"),
        ],
    )
    assert feed.counts["inserted"] == 2 and feed.counts["rejected"] == 4
    by_row = {o.row: o for o in feed.outcomes}
    assert by_row[2].status == "rejected" and by_row[2].errors[0]["field"] == "amount_cents"
    assert by_row[2].key == "P2"
    assert by_row[4].errors[0]["field"] == "department_code"
    assert by_row[5].errors[0]["field"] == "supplier_code"
    tenant = platform.directory.get("360102")
    with platform.db.session(tenant.scope) as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 2
        stored = {(e.row, e.field) for e in s.scalars(select(RecordError))}
    assert (2, "amount_cents") in stored and (3, "") in stored


def test_the_newest_copy_wins_within_one_batch(platform):
    feed = send(platform, [payment("P1", 300_00, T2), payment("P1", 100_00, T1), payment("P1", 300_00, T2)])
    assert feed.counts["inserted"] == 1 and feed.counts["unchanged"] == 2
    tenant = platform.directory.get("360102")
    with platform.db.session(tenant.scope) as s:
        assert s.scalar(select(Payment.amount_cents)) == 300_00


def test_derived_limits_through_the_legal_clock(platform):
    send(
        platform,
        [
            {
                "case_no": "A1",
                "violation_code": "V",
                "violation_title": "违法",
                "opened_on": "2026-09-25",
                "limit_days": 5,
                "limit_unit": "working",
                "source_time": T1,
                "department_code": "scjgj",
            }
        ],
        stream="judicial.case",
    )
    # 2026-09-25 is a Friday; the National Day holiday (Oct 1-8) and its make-up days are skipped.
    send(
        platform,
        [
            {
                "appointment_no": "R1",
                "person_code": "C1",
                "person_name": "张三",
                "post_code": "K",
                "post_title": "科长",
                "publicity_start": "2026-11-02",
                "publicity_end": "2026-11-10",
                "appointed_on": "2026-11-05",
                "source_time": T1,
                "department_code": "xzspj",
            }
        ],
        stream="cadre.appointment",
    )
    tenant = platform.directory.get("360102")
    with platform.db.session(tenant.scope) as s:
        deadline = s.scalar(select(Case.deadline))
        days = s.scalar(select(Appointment.publicity_days))
    assert deadline > date(2026, 10, 8)
    assert days == 3  # appointed on the fourth day: Nov 2, 3, 4 count


def test_the_other_tenant_sees_none_of_it(platform):
    send(platform, [payment("P1")])
    other = platform.directory.get("360100")
    with platform.db.session(other.scope) as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 0


def test_file_import_streams_jsonl_and_csv(platform, tmp_path):
    jl = tmp_path / "payments.jsonl"
    jl.write_text(
        "\n".join([json.dumps(payment(f"F{i}")) for i in range(2500)] + ["{broken"]), encoding="utf-8"
    )
    tenant = platform.directory.get("360102")
    feed = imports.import_file(platform, tenant, "fiscal.payment", jl, department="fgw")
    assert feed.counts["inserted"] == 2500 and feed.counts["rejected"] == 1
    again = imports.import_file(platform, tenant, "fiscal.payment", jl, department="fgw")
    assert again.counts["unchanged"] == 2500
    csv_file = tmp_path / "deaths.csv"
    csv_file.write_text(
        f"person_id,died_on,source_time\n{demo.person(1)},2026-10-01,{T1}\n{demo.person(2)},,{T1}\n",
        encoding="utf-8-sig",
    )
    feed = imports.import_file(platform, tenant, "livelihood.death", csv_file, department="mzj")
    assert feed.counts["inserted"] == 1 and feed.counts["rejected"] == 1
