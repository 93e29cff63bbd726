"""Bulk generator of approval applications for the scale benches (bench/bench_approval.py).

COPY in text format, as the database owner, at > 100,000 rows/s: rows are built as text lines from
precomputed fragments (one random draw per row, sliced into the choices), the secondary indexes are
dropped for the load and rebuilt after it (one sort per index instead of 10 million random inserts each),
and foreign-key triggers are skipped for the session (``session_replication_role = replica``: the rows
reference items and tenants by construction). Every step prints its progress.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

TABLE = "approval_applications"
COLS = (
    "id", "tenant_id", "tenant_path", "number", "version", "item_id", "item_code", "item_name",
    "item_version_no", "department_code", "applicant_account_id", "applicant_kind", "applicant_name",
    "applicant_id_number", "form_data", "state", "submitted_at", "submitted_on", "accepted_at",
    "accepted_on", "limit_days", "deadline", "paused_days", "concluded_at", "concluded_on",
    "working_days_used", "on_time", "fee_cents", "decision", "decision_reason",
)
STATES = (
    ["concluded"] * 86 + ["in_review"] * 4 + ["accepted"] * 2 + ["submitted"] * 2 + ["withdrawn"] * 2
    + ["refused"] * 1 + ["approved"] * 1 + ["denied"] * 1 + ["correction_requested"] * 1
)
TODAY = date(2026, 11, 27)
CHUNK = 20_000  # rows per write to the COPY stream


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _secondary_indexes(conn: Any) -> list[tuple[str, str, str]]:
    """(name, DROP, CREATE) for every index but the primary key (whose keys arrive in order, and which
    other tables' foreign keys need): plain indexes and unique constraints alike."""
    rows = conn.execute(text(
        "SELECT i.indexname, i.indexdef, c.contype, pg_get_constraintdef(c.oid) FROM pg_indexes i "
        "LEFT JOIN pg_constraint c ON c.conname = i.indexname WHERE i.tablename = :t"), {"t": TABLE}).all()
    out = []
    for name, indexdef, contype, condef in rows:
        if contype == "p":
            continue
        if contype is None:
            out.append((name, f'DROP INDEX "{name}"', indexdef))
        else:
            out.append((name, f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"',
                        f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {condef}'))
    return out


def _items_by_tenant(conn: Any) -> dict[int, list[Any]]:
    rows = conn.execute(text(
        "SELECT tenant_id, id, code, name, department_code, promised_days FROM ("
        " SELECT *, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS r FROM approval_items) x"
        " WHERE r <= 300")).all()
    out: dict[int, list[Any]] = {}
    for r in rows:
        out.setdefault(r.tenant_id, []).append(r)
    return out


class _Lines:
    """Text-format COPY lines for applications, from fragments computed once."""

    def __init__(self, tenants: list[Any], items: dict[int, list[Any]], first_id: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.first_id = first_id
        self.days = [TODAY - timedelta(days=d) for d in range(0, 370)]
        base = min(self.days) - timedelta(days=1)
        self.base = base.toordinal()
        span = 370 + 3 + 200 + 200
        self.date_s = [(base + timedelta(days=k)).isoformat() for k in range(span)]
        self.ymd = [(base + timedelta(days=k)).strftime("%Y%m%d") for k in range(span)]
        self.tenants = [(t.id, t.path, t.code) for t in tenants]
        self.items = {
            tid: [(i.id, i.code, i.name, i.department_code, i.promised_days) for i in rows]
            for tid, rows in items.items()
        }

    def line(self, i: int) -> str:
        r = self.rng.getrandbits(48)
        tid, path, code = self.tenants[i % len(self.tenants)]
        items = self.items[tid]
        item_id, item_code, item_name, dept, promised = items[r % len(items)]
        state = STATES[(r >> 10) % 100]
        sub = self.days[(r >> 17) % 366].toordinal() - self.base
        accepted = state not in ("submitted", "refused", "correction_requested")
        acc = sub + (r >> 26) % 4 if accepted else None
        deadline = acc + promised * 7 // 5 if acc is not None else None
        con = acc + (r >> 29) % (promised * 2 + 1) if state == "concluded" and acc is not None else None
        used = (con - acc) * 5 // 7 if con is not None and acc is not None else None
        decision = {"concluded": "approved", "approved": "approved", "denied": "denied"}.get(state)
        d = self.date_s
        n = r"\N"
        row_id = self.first_id + i
        return "\t".join((
            str(row_id), str(tid), path, f"{code}-{self.ymd[sub]}-{row_id:08d}", "1", str(item_id),
            item_code, item_name, "1", dept, str(1 + i % 500_000), "legal" if i % 3 == 0 else "person",
            "申请人", "3601", "{}", state, d[sub] + "T09:00:00+00", d[sub],
            d[acc] + "T10:00:00+00" if acc is not None else n, d[acc] if acc is not None else n,
            str(promised) if acc is not None else n, d[deadline] if deadline is not None else n, "0",
            d[con] + "T16:00:00+00" if con is not None else n, d[con] if con is not None else n,
            str(used) if used is not None else n,
            ("t" if con <= deadline else "f") if con is not None and deadline is not None else n,
            "0", decision or n, "符合条件" if decision else n,
        )) + "\n"


def gen_applications(platform: Any, total: int, tenants: list[Any], seed: int = 2017) -> float:
    """COPY ``total`` applications over ``tenants``; returns the COPY rate in rows/s (indexes excluded)."""
    engine = platform.db.engine
    with engine.begin() as conn:
        items = _items_by_tenant(conn)
        first_id = int(conn.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {TABLE}")).scalar())
        indexes = _secondary_indexes(conn)
        for _name, drop, _create in indexes:
            conn.execute(text(drop))
    log(f"applications: dropped {len(indexes)} secondary indexes for the load")
    lines = _Lines(tenants, items, first_id, seed)
    start = time.perf_counter()
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("SET session_replication_role = replica")  # no FK triggers per row
            with cur.copy(f"COPY {TABLE} ({', '.join(COLS)}) FROM STDIN") as cp:
                for lo in range(0, total, CHUNK):
                    hi = min(total, lo + CHUNK)
                    cp.write("".join([lines.line(i) for i in range(lo, hi)]))
                    if hi % 500_000 < CHUNK or hi == total:
                        el = time.perf_counter() - start
                        log(f"  applications: {hi:,}/{total:,} ({hi / el:,.0f} rows/s)")
        raw.commit()
    finally:
        raw.close()
    rate = total / (time.perf_counter() - start)
    with engine.connect() as conn:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
                          f"(SELECT max(id) FROM {TABLE}))"))
        conn.commit()
    _rebuild_indexes(platform, indexes)
    return rate


def _rebuild_indexes(platform: Any, indexes: list[tuple[str, str, str]]) -> None:
    with platform.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        for k, (name, _drop, sql) in enumerate(indexes, 1):
            t0 = time.perf_counter()
            conn.exec_driver_sql(sql)
            log(f"  index {k}/{len(indexes)} {name}: {time.perf_counter() - t0:.1f} s")
