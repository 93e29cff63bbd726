"""The supervision scan over 1,000,000 open applications on PostgreSQL.

Builds a fresh PostgreSQL database (migrations + tenants/jiangxi.toml), generates the open cases with
one INSERT ... SELECT generate_series, and times:

1. the first scan (rules' set-based SELECTs, findings -> card rows, multi-row insert-or-ignore, card
   history, outbox events, one audit entry per rule and run);
2. a rescan of the same data (every finding already has its card: nothing is inserted);
3. the escalation pass a few working days later (one UPDATE per owning tier).

Data: when the approval plugin ships a bulk generator (``bench/bench_approval.py`` exposing
``generate(platform, n)``), pass ``--source approval`` to scan its applications with its own rules.
Otherwise (the default, ``--source synthetic``) the rows go into the synthetic table of the supervision
tests' rule plugin (tests/plugins/supervision/sv_test_plugin.py: an overdue rule and a near-deadline rule,
both ``scan_subtree``), spread over every county of the Jiangxi tree, with deadlines from 3 days ago to
60 days ahead (~5% overdue, ~5% near their deadline). The approval plugin's own (per-tenant) rules run
in the same scan over its empty tables.

    GOVHALL_BENCH_PG=postgresql://postgres@127.0.0.1:5432/postgres \\
      /work/venv/bin/python bench/bench_supervision.py [--rows 1000000] [--out bench/results/supervision.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.calendar import add_workdays  # noqa: E402
from core.db import Scope, migrate, rls  # noqa: E402
from core.demo import JIANGXI  # noqa: E402
from core.platform import Platform  # noqa: E402
from core.settings import load_settings, normalise_db_url  # noqa: E402
from core.tenancy import loader  # noqa: E402
from plugins.supervision import scan, services  # noqa: E402
from plugins.supervision.models import Card  # noqa: E402

TODAY = date(2026, 11, 28)


def _admin(url: str, sql: str) -> None:
    engine = create_engine(normalise_db_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def _platform(url: str, tmp: Path) -> Platform:
    settings = load_settings(overrides={"database_url": url, "data_dir": str(tmp), "env": "test",
                                        "log_level": "warning"})
    return Platform.start(settings)


def setup(base_url: str, tmp: Path) -> tuple[Platform, str]:
    name = f"govhall_bench_sv_{uuid.uuid4().hex[:6]}"
    _admin(base_url, f'CREATE DATABASE "{name}"')
    url = base_url.rsplit("/", 1)[0] + "/" + name
    platform = _platform(url, tmp)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    tree, lines, path = loader.load_file(JIANGXI)
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    with platform.db.transaction(Scope.system()) as s:
        loader.apply(s, tree, platform.directory, actor="bench")
    platform.refresh(force=True)
    return platform, name


def from_template(base_url: str, template: str, tmp: Path) -> tuple[Platform, str]:
    """A copy of an existing database (e.g. the approval bench's 1,000,000 applications), migrated."""
    name = f"govhall_bench_sv_{uuid.uuid4().hex[:6]}"
    _admin(base_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = base_url.rsplit("/", 1)[0] + "/" + name
    platform = _platform(url, tmp)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    _current_policies(platform)
    platform.refresh(force=True)
    return platform, name


def _current_policies(platform: Platform) -> None:
    """Re-create row-level-security policies of a database made before the policy became a path range
    (core.db.rls, commit 4e1fd38 changed core_0001 in place): an old ``govhall_visible(...)`` policy reads
    settings the engine no longer sets, so every scoped query would see nothing."""
    with platform.db.engine.begin() as conn:
        old = conn.execute(text("SELECT tablename FROM pg_policies WHERE qual LIKE '%govhall_visible%'"))
        for (table,) in old.all():
            conn.execute(text(f"DROP POLICY {table}_tenant_isolation ON {table}"))
            conn.execute(text(f"CREATE POLICY {table}_tenant_isolation ON {table} "
                              f"USING ({rls._VISIBLE}) WITH CHECK ({rls._VISIBLE})"))


def synthetic(platform: Platform, rows: int) -> Any:
    spec = importlib.util.spec_from_file_location(
        "sv_test_plugin", ROOT / "tests" / "plugins" / "supervision" / "sv_test_plugin.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.TODAY["value"] = TODAY
    platform.registry.add(module)
    platform.refresh(force=True)
    module.create_table(platform)
    counties = [t for t in platform.directory.by_id.values() if t.level == "county"]
    values = ",".join(f"({i}, {t.id}, '{t.path}')" for i, t in enumerate(counties))
    with platform.db.engine.begin() as conn:
        # One statement: case i goes to county i mod N, deadline between -3 and +60 days of today.
        conn.execute(text(f"""
            INSERT INTO sv_test_cases (tenant_id, tenant_path, department_code, deadline)
            SELECT c.tenant_id, c.tenant_path, 'xzspj', DATE '{TODAY.isoformat()}' + ((g % 64) - 3)
            FROM generate_series(1, :n) AS g
            JOIN (VALUES {values}) AS c(k, tenant_id, tenant_path) ON c.k = g % {len(counties)}
        """), {"n": rows})
        conn.execute(text("CREATE INDEX ix_sv_test_cases_open ON sv_test_cases (deadline) "
                          "WHERE concluded_on IS NULL"))
        conn.execute(text("ANALYZE sv_test_cases"))
    return len(counties)


def _rounded(by_rule: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in sorted(by_rule.items(), key=lambda kv: -kv[1])}


def timed(label: str, fn: Any, results: dict[str, Any]) -> Any:
    start = time.perf_counter()
    out = fn()
    results[label] = round(time.perf_counter() - start, 2)
    print(f"{label}: {results[label]} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--source", choices=("synthetic", "approval"), default="synthetic")
    parser.add_argument("--template", default="",
                        help="scan a copy of this database instead of generating "
                             "(e.g. govhall_bench_approval, left by bench/bench_approval.py)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "supervision.json"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    base = os.environ.get("GOVHALL_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "govhall-bench-sv"
    tmp.mkdir(parents=True, exist_ok=True)
    if args.template:
        platform, name = timed("copy_template_s", lambda: from_template(base, args.template, tmp), {})
    else:
        platform, name = setup(base, tmp)
    results: dict[str, Any] = {"rows": args.rows, "source": args.template or args.source,
                               "today": TODAY.isoformat()}
    try:
        if args.template:
            with platform.db.session(Scope.system()) as s:
                apps = "SELECT count(*) FROM approval_applications"
                results["applications"] = s.execute(text(apps)).scalar()
                results["open_applications"] = s.execute(text(
                    apps + " WHERE state IN ('accepted', 'in_review')")).scalar()
        elif args.source == "approval":
            spec = importlib.util.spec_from_file_location("bench_approval",
                                                          ROOT / "bench" / "bench_approval.py")
            assert spec and spec.loader, "bench/bench_approval.py is not there"
            gen = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(gen)
            timed("generate_s", lambda: gen.generate(platform, args.rows), results)
        else:
            results["counties"] = timed("generate_s", lambda: synthetic(platform, args.rows), results)
        first = timed("scan_first_s", lambda: scan.run_scan(platform, today=TODAY), results)
        results.update(first_findings=first.findings, first_issued=first.issued, rule_calls=first.rules,
                       first_scan_seconds=_rounded(first.scan_seconds),
                       first_issue_seconds=_rounded(first.issue_seconds))
        again = timed("scan_again_s", lambda: scan.run_scan(platform, today=TODAY), results)
        results.update(again_findings=again.findings, again_issued=again.issued,
                       again_scan_seconds=_rounded(again.scan_seconds),
                       again_issue_seconds=_rounded(again.issue_seconds))
        later = add_workdays(TODAY, 6)

        def escalate() -> int:
            with platform.db.transaction(Scope.system()) as s:
                return len(services.escalate_overdue(platform, s, today=later))

        results["escalated"] = timed("escalate_s", escalate, results)
        with platform.db.session(Scope.system()) as s:
            results["cards"] = s.scalar(select(func.count()).select_from(Card))
    finally:
        platform.close()
        if not args.keep:
            _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
