"""Access control at Jiangxi scale: ~21,600 tenants, ~110,000 grants, in a real (SQLite file) database.

Measures, in one run:
- policy load: one account's grants (indexed SELECT + its Casbin enforcer), the whole grants table read
  by a plain SELECT, and — for comparison — one global Casbin enforcer holding every grant (the model
  the issue describes);
- memory: process RSS, and the Python heap of 1,000 cached account policies;
- one decision, median and p99 in µs, for a village clerk in their village, a county administrator in a
  village below, and a denied cross-county call: through AccessControl.check (decision cache hit),
  Casbin uncached (the account's enforcer), and a plain-Python path-prefix check — with the ratios.

    /work/venv/bin/python bench/bench_access.py [--villages 20000] [--out bench/results/access.json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from core.access.enforcer import MODEL_TEXT, AccountPolicy, TunedEnforcer, covers
from core.access.models import RoleGrant
from core.db import Scope, migrate
from core.identity.actor import Actor
from core.identity.models import Account
from core.platform import Platform
from core.settings import load_settings
from core.tenancy.models import Tenant

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def build_tree(villages: int) -> list[dict[str, Any]]:
    """1 province, 11 cities, 10 counties each, ~14 townships per county, the rest villages."""
    rows: list[dict[str, Any]] = []
    townships_per_county = 14
    villages_per_township = max(1, round(villages / (110 * townships_per_county)))

    def add(code: str, parent: dict[str, Any] | None, level: str) -> dict[str, Any]:
        row = {
            "id": len(rows) + 1,
            "code": code,
            "parent_id": parent["id"] if parent else None,
            "path": f"{parent['path']}/{code}" if parent else code,
            "level": level,
            "kind": "government",
            "name": code,
            "name_en": code,
            "active": True,
            "updated_at": NOW,
        }
        rows.append(row)
        return row

    province = add("360000", None, "province")
    for c in range(1, 12):
        city = add(f"36{c:02d}00", province, "city")
        for k in range(1, 11):
            county = add(f"36{c:02d}{k:02d}", city, "county")
            for t in range(1, townships_per_county + 1):
                town = add(f"{county['code']}{t:03d}", county, "township")
                for v in range(1, villages_per_township + 1):
                    add(f"{town['code']}{v:03d}", town, "village")
    return rows


def build_grants(tenants: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """~5 clerks per village, 3 per township, 40 per county (exact), 2 subtree admins per county, 20 per
    city, 10 at the province. Returns grant rows and named sample accounts."""
    grants: list[dict[str, Any]] = []
    plan = {
        "village": (5, "item_handler", False),
        "township": (3, "item_handler", False),
        "county": (40, "item_handler", False),
        "city": (20, "comprehensive_admin", True),
        "province": (10, "supervisor", True),
    }
    samples: dict[str, int] = {}
    for t in tenants:
        count, role, subtree = plan[t["level"]]
        for _ in range(count):
            grants.append(
                {
                    "id": len(grants) + 1,
                    "account_id": len(grants) + 1,
                    "role": role,
                    "tenant_id": t["id"],
                    "tenant_path": t["path"],
                    "subtree": subtree,
                }
            )
            samples.setdefault(f"{t['level']}:{t['code']}", len(grants))
        if t["level"] == "county":
            for _ in range(2):
                grants.append(
                    {
                        "id": len(grants) + 1,
                        "account_id": len(grants) + 1,
                        "role": "comprehensive_admin",
                        "tenant_id": t["id"],
                        "tenant_path": t["path"],
                        "subtree": True,
                    }
                )
                samples.setdefault(f"county_admin:{t['code']}", len(grants))
    for g in grants:
        g.update(granted_by="bench", granted_at=NOW)
    return grants, samples


def populate(platform: Platform, tenants: list[dict[str, Any]], grants: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    accounts = [
        {
            "id": g["account_id"],
            "kind": "staff",
            "username": f"staff{g['account_id']}",
            "display_name": "x",
            "password_hash": "x",
            "active": True,
            "created_at": NOW,
            "version": 1,
        }
        for g in grants
    ]
    with platform.db.transaction(Scope.system()) as s:
        s.execute(insert(Tenant.__table__), tenants)
        s.execute(insert(Account.__table__), accounts)
        s.execute(insert(RoleGrant.__table__), grants)
    return time.perf_counter() - started


def timed(fn: Any, n: int) -> dict[str, float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t0) / 1000)
    samples.sort()
    return {"median_us": round(statistics.median(samples), 2), "p99_us": round(samples[int(n * 0.99) - 1], 2)}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--villages", type=int, default=20_000)
    ap.add_argument("--samples", type=int, default=20_000)
    ap.add_argument("--out", default="")
    ap.add_argument(
        "--global-enforcer",
        action="store_true",
        help="Also time one Casbin enforcer holding every grant (minutes at full scale).",
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_access_"))
    settings = load_settings(
        overrides={
            "database_url": f"sqlite:///{tmp / 'bench.db'}",
            "data_dir": str(tmp),
            "env": "test",
            "watch_interval": 60.0,
            "log_level": "warning",
        }
    )
    platform = Platform.start(settings)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    tenants = build_tree(args.villages)
    grants, samples = build_grants(tenants)
    out: dict[str, Any] = {"tenants": len(tenants), "grants": len(grants)}
    out["populate_s"] = round(populate(platform, tenants, grants), 2)
    out["rss_before_mb"] = round(rss_mb(), 1)
    by_code = {t["code"]: t for t in tenants}
    platform.refresh(force=True)
    access = platform.access
    templates = access.templates

    # -- policy load ---------------------------------------------------------------------------------
    t0 = time.perf_counter()
    with platform.db.session(Scope.system()) as s:
        t = RoleGrant.__table__
        all_rows = s.execute(select(t.c.account_id, t.c.role, t.c.tenant_path, t.c.subtree)).all()
    out["load_all_grants_select_s"] = round(time.perf_counter() - t0, 3)
    sample_ids = random.Random(1).sample(range(1, len(grants) + 1), 300)
    t0 = time.perf_counter()
    for account_id in sample_ids:
        access._load_grants(account_id)
    out["load_one_account_select_us"] = round((time.perf_counter() - t0) / len(sample_ids) * 1e6, 1)
    t0 = time.perf_counter()
    for account_id in sample_ids:
        access.policy_of(account_id)
    out["load_one_account_policy_us"] = round((time.perf_counter() - t0) / len(sample_ids) * 1e6, 1)
    if args.global_enforcer:
        out.update(global_enforcer(all_rows, templates))

    # -- memory --------------------------------------------------------------------------------------
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = [AccountPolicy(i, 1, access._load_grants(i)[1], templates) for i in range(1, 1001)]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    out["heap_per_1000_account_policies_mb"] = round(
        sum(d.size_diff for d in after.compare_to(before, "filename")) / 2**20, 2
    )
    del kept
    out["rss_after_mb"] = round(rss_mb(), 1)
    out["cases"] = decision_cases(platform, grants, samples, by_code, args.samples)
    print(json.dumps(out, indent=2, ensure_ascii=False))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    platform.close()


def global_enforcer(rows: list[Any], templates: Any) -> dict[str, Any]:
    """For comparison: every grant in one Casbin enforcer (the issue's model), built with direct
    model calls rather than the slow adapter."""
    from casbin.model import Model

    t0 = time.perf_counter()
    model = Model()
    model.load_model_from_text(MODEL_TEXT)
    enforcer = TunedEnforcer(model)
    enforcer.add_named_domain_matching_func("g", lambda req, grant: covers(grant, req))
    roles = sorted(templates.perms)
    model.add_policies("p", "p", [[r, "*"] for r in roles])
    model.add_policies("g", "g3", [[r, p] for r in roles for p in sorted(templates.of(r))])
    sub = [[f"account:{a}", r, p] for a, r, p, s in rows if s]
    exact = [[f"account:{a}", r, p] for a, r, p, s in rows if not s]
    model.add_policies("g", "g", sub)
    model.add_policies("g", "g2", exact)
    enforcer.build_role_links()
    return {"global_enforcer_load_s": round(time.perf_counter() - t0, 2)}


def decision_cases(
    platform: Platform, grants: list[dict[str, Any]], samples: dict[str, int], by_code: dict[str, Any], n: int
) -> dict[str, Any]:
    access = platform.access
    village = next(t for k, t in by_code.items() if t["level"] == "village" and k.startswith("360101"))
    other_village = next(t for k, t in by_code.items() if t["level"] == "village" and k.startswith("360102"))
    clerk = samples[f"village:{village['code']}"]
    county_admin = samples["county_admin:360101"]
    ref = platform.directory.get
    cases = {
        "village_clerk_own_village": (clerk, ref(village["code"]), "hall:account:self", True),
        "county_admin_village_below": (county_admin, ref(village["code"]), "hall:roles:manage", True),
        "denied_cross_county": (county_admin, ref(other_village["code"]), "hall:roles:manage", False),
    }
    result: dict[str, Any] = {}
    for name, (account_id, tenant, perm, expected) in cases.items():
        actor = Actor(account_id=account_id, kind="staff", display_name="x", username=f"staff{account_id}")
        assert access.check(actor, tenant, perm).allowed is expected, name
        policy = access.policy_of(account_id)
        mine = [(g.role, g.tenant_path, g.subtree) for g in policy.grants]

        def plain(path: str = tenant.path, perm: str = perm, mine: list[Any] = mine) -> bool:
            return any(
                perm in access.templates.of(r) and (path == p or (s and path.startswith(p + "/")))
                for r, p, s in mine
            )

        assert plain() is expected
        cached = timed(lambda a=actor, t=tenant, p=perm: access.check(a, t, p), n)
        casbin = timed(lambda pol=policy, t=tenant, p=perm: pol.enforce(t.path, p), max(1000, n // 10))
        python = timed(plain, n)
        result[name] = {
            "cached_check": cached,
            "casbin_uncached": casbin,
            "plain_python": python,
            "ratio_cached_vs_python": round(cached["median_us"] / python["median_us"], 1),
            "ratio_casbin_vs_python": round(casbin["median_us"] / python["median_us"], 1),
        }
    return result


if __name__ == "__main__":
    main()
