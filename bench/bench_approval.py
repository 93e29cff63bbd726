"""Approval at the source's scale on PostgreSQL: workbench queue, item search and statistics.

Generates (COPY, as the database owner) 30,000 approval item types and 160,000 public-service items
spread over every hall of tenants/jiangxi.toml, with their bigram search tokens, and 1,000,000
applications (``--applications 10000000`` for the full record count), then measures through the real
service code as a request runs — the queue on a scoped autocommit read connection (``read_connection``,
as the workbench page reads it), search and statistics in a scoped session (ORM guard + row-level
security) — wall clock and this process's CPU per call:

* the workbench queue of one county department (Donghu, 东湖区行政审批局);
* item search in a county hall (a handful of Chinese queries);
* statistics for a county and for the whole province (subtree scope, as a supervisor).

Prints median and p95 in ms and the EXPLAIN (ANALYZE, BUFFERS) plan of each query.

    python bench/bench_approval.py --url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.db import Scope, migrate  # noqa: E402
from core.demo import JIANGXI  # noqa: E402
from core.tenancy import loader  # noqa: E402
from tests.conftest import make_platform  # noqa: E402

OBJECTS = [
    "食品",
    "药品",
    "医疗器械",
    "建筑工程",
    "道路运输",
    "危险化学品",
    "特种设备",
    "烟花爆竹",
    "林木采伐",
    "取水",
    "排污",
    "广告",
    "出版物",
    "网络文化",
    "营业性演出",
    "旅行社",
    "人力资源服务",
    "劳务派遣",
    "民办学校",
    "医疗机构",
    "母婴保健",
    "放射诊疗",
    "城市道路",
    "户外广告",
    "燃气经营",
    "供水",
    "殡葬",
    "宗教活动场所",
    "社会团体",
    "民办非企业单位",
    "农药",
    "兽药",
    "种子",
    "饲料",
    "渔业捕捞",
    "船舶",
    "测绘",
    "地质勘查",
    "矿产",
    "土地",
    "房屋",
    "物业",
    "消防",
    "人防工程",
    "文物",
    "气象",
    "档案",
    "价格",
]
ACTIONS = [
    "经营许可",
    "生产许可",
    "设立审批",
    "变更登记",
    "注销登记",
    "备案",
    "资质认定",
    "施工许可",
    "核准",
    "年检",
    "延续",
    "补办",
    "证明开具",
    "资格认定",
    "补贴申领",
    "奖励",
    "确认",
    "审核",
]
SERVICES = [
    "社会保障卡申领",
    "居民身份证换领",
    "生育登记",
    "户口迁移",
    "婚姻登记",
    "不动产权证书查询",
    "公积金提取",
    "医保关系转移",
    "失业登记",
    "就业创业证申领",
    "养老保险待遇领取",
    "残疾人证办理",
    "老年人优待证办理",
    "高龄津贴申领",
    "低保申请",
    "临时救助",
    "义务教育入学登记",
    "驾驶证换证",
    "出入境证件办理",
    "居住证办理",
]
DEPTS = ["xzspj", "fgw", "scjgj", "zjj", "wjw", "mzj", "rsj", "gaj"]
QUERIES = ["食品经营许可", "社会保障卡", "建筑工程施工", "备案", "医疗机构", "身份证"]


def tokens_of(text_: str) -> set[str]:
    from plugins.approval.catalogue import tokens

    return tokens(text_)


def setup(url: str, name: str) -> Any:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    db_url = url.rsplit("/", 1)[0] + "/" + name
    platform = make_platform(db_url, Path("/tmp") / name)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    tree, lines, path = loader.load_file(JIANGXI)
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    with platform.db.transaction(Scope.system()) as s:
        loader.apply(s, tree, platform.directory, actor="bench")
    platform.refresh(force=True)
    return platform


def copy(conn: Any, table: str, cols: list[str], rows: Any) -> int:
    """COPY rows (tuples) into a table; returns the count."""
    n = 0
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def halls(platform: Any) -> list[Any]:
    """Halls that run approval: province, cities, counties (not townships and villages)."""
    return [t for t in platform.directory.by_id.values() if t.level in ("province", "city", "county")]


def gen_items(platform: Any, approval_n: int, public_n: int, rng: random.Random) -> None:
    tenants = halls(platform)
    item_cols = [
        "tenant_id",
        "tenant_path",
        "code",
        "version_no",
        "status",
        "name",
        "name_en",
        "item_type",
        "section",
        "entrance",
        "department_code",
        "department_name",
        "legal_basis",
        "conditions",
        "statutory_days",
        "promised_days",
        "acceptance_days",
        "fee_cents",
        "fee_basis",
        "online_depth",
        "max_visits",
        "special_procedures",
        "form_fields",
        "steps",
        "consult_phone",
        "complaint_phone",
        "keywords",
        "decision_requires_reason",
        "publish_decisions",
    ]

    def rows() -> Any:
        for i in range(approval_n + public_n):
            t = tenants[i % len(tenants)]
            public = i >= approval_n
            name = (
                rng.choice(SERVICES)
                if public and rng.random() < 0.5
                else rng.choice(OBJECTS) + rng.choice(ACTIONS)
            ) + f"（{i % 97}）"
            statutory = rng.choice([5, 10, 15, 20, 30, 45, 60])
            yield (
                t.id,
                t.path,
                f"B{i:07d}",
                1,
                "published",
                name,
                "",
                "public_service" if public else "licence",
                "public_service" if public else "approval",
                rng.choice(["personal", "legal", "both"]),
                rng.choice(DEPTS),
                "",
                "",
                "",
                statutory,
                max(1, statutory // 2),
                5,
                0,
                "",
                4,
                0,
                "[]",
                "[]",
                "[]",
                "",
                "",
                "",
                True,
                True,
            )

    with platform.db.engine.begin() as conn:
        n = copy(conn, "approval_items", item_cols, progress(rows(), approval_n + public_n, "items"))
        print(f"items: {n}", file=sys.stderr)
        ids = conn.execute(text("SELECT id, tenant_id, tenant_path, name FROM approval_items")).all()

        def toks() -> Any:
            for item_id, tid, path, name in ids:
                for tok in tokens_of(name):
                    yield (item_id, tok, tid, path)

        n = copy(
            conn,
            "approval_search_tokens",
            ["item_id", "token", "tenant_id", "tenant_path"],
            progress(toks(), len(ids) * 7, "tokens"),
        )
        print(f"search tokens: {n}", file=sys.stderr)


def progress(it: Any, total: int, label: str, every: int = 100_000) -> Any:
    start = time.perf_counter()
    for i, row in enumerate(it, 1):
        if i % every == 0:
            rate = i / (time.perf_counter() - start)
            print(f"  {label}: {i:,}/{total:,} ({rate:,.0f}/s)", file=sys.stderr, flush=True)
        yield row


def gen_applications(platform: Any, total: int, rng: random.Random) -> None:
    """Applications by COPY (bench/gen_approval.py), then the daily rollup and ANALYZE."""
    from bench.gen_approval import gen_applications as copy_applications

    t0 = time.perf_counter()
    rate = copy_applications(platform, total, halls(platform), seed=rng.randrange(2**31))
    print(f"applications: {total:,} by COPY at {rate:,.0f} rows/s; with index builds "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    from plugins.approval.rollup import REBUILD_SQL

    t1 = time.perf_counter()
    with platform.db.engine.begin() as conn:  # what the transitions maintain one by one, in bulk
        conn.execute(text(REBUILD_SQL))
    with platform.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"daily figures + VACUUM ANALYZE: {time.perf_counter() - t1:.0f} s", file=sys.stderr)


def timed(fn: Any, n: int) -> dict[str, float]:
    fn()  # warm the caches and the statement cache once
    samples, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
        # this process's CPU per call (Python: statement, rows, objects), less disturbed by the load
        "cpu_ms": round(statistics.median(cpu), 2),
        "runs": n,
    }


def explain(platform: Any, scope: Scope, fn: Any) -> tuple[str, str]:
    """Run ``fn`` once capturing its SQL, then EXPLAIN (ANALYZE, BUFFERS) the main (first) statement in the
    same scope — under the row-level-security policy — and again as the table owner, which the policy does
    not apply to: the same statement text (with the application's own tenant filter) without the policy."""
    seen: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "set_config" not in statement:
            seen.append((statement, params))

    event.listen(Engine, "before_cursor_execute", grab)  # every engine: the read pool is one of its own
    try:
        fn()
    finally:
        event.remove(Engine, "before_cursor_execute", grab)
    statement, params = seen[0]
    plans = []
    for where in (scope, Scope.system()):  # system scope: no role switch, the owner bypasses RLS
        with platform.db.session(where) as s:
            rows = s.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).all()
        plans.append("\n".join(r[0] for r in rows))
    return plans[0], plans[1]


def _execution_ms(plan: str) -> str:
    return plan.rsplit("Execution Time:", 1)[-1].strip() if "Execution Time:" in plan else "?"


def cases(platform: Any) -> list[tuple[str, Scope, Any, int]]:
    from plugins.approval import catalogue, queries, stats

    d = platform.directory
    county, province = d.get("360102"), d.get("360000")
    below = Scope.below(province.id, province.path)

    def run(scope: Scope, body: Any) -> Any:
        return lambda: _in(platform, scope, body)

    def read(scope: Scope, body: Any) -> Any:  # as the workbench reads: one autocommit scoped connection
        def go() -> Any:  # of the stable-plan pool (the queue runs on its generic plan, issue #14)
            with platform.db.read_connection(scope, stable_plan=True) as conn:
                return body(conn)

        return go

    qi = iter(range(10**9))
    return [
        (
            "workbench queue, county department (360102 xzspj, 50 rows)",
            county.scope,
            read(county.scope,
                 lambda c: queries.queue(c, county.scope, frozenset({"xzspj"}), limit=50)),
            100,
        ),
        (
            "workbench queue, county, overdue filter",
            county.scope,
            read(county.scope,
                 lambda c: queries.queue(c, county.scope, frozenset({"xzspj"}), due="overdue", limit=50)),
            100,
        ),
        (
            "workbench page's queue, county department (new cases first, 100 rows)",
            county.scope,
            read(county.scope,
                 lambda c: queries.queue(c, county.scope, frozenset({"xzspj"}), limit=100, new_first=True)),
            100,
        ),
        (
            "item search, county hall (6 queries rotating)",
            county.scope,
            run(county.scope, lambda s: catalogue.search(s, QUERIES[next(qi) % len(QUERIES)], limit=20)),
            120,
        ),
        (
            "statistics, county (360102)",
            county.scope,
            run(county.scope, lambda s: stats.summary(s, county.scope)),
            50,
        ),
        (
            "statistics, province subtree (360000, every hall)",
            below,
            run(below, lambda s: stats.summary(s, below)),
            10,
        ),
        (
            "statistics, province subtree by city (chart)",
            below,
            run(below, lambda s: stats.by_child(s, below, d, province)),
            10,
        ),
    ]


def _in(platform: Any, scope: Scope, body: Any) -> Any:
    with platform.db.session(scope) as s:
        return body(s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--url", default="postgresql://postgres@127.0.0.1:5432/postgres", help="server (admin) URL"
    )
    ap.add_argument("--db", default="govhall_bench_approval", help="database to (re)create")
    ap.add_argument("--items", type=int, default=30_000, help="approval item types")
    ap.add_argument("--public-items", type=int, default=160_000, help="public-service items")
    ap.add_argument(
        "--applications", type=int, default=1_000_000, help="application records (10000000 = full)"
    )
    ap.add_argument("--reuse", action="store_true", help="measure an existing database without regenerating")
    args = ap.parse_args()
    rng = random.Random(2017)
    if args.reuse:
        platform = make_platform(args.url.rsplit("/", 1)[0] + "/" + args.db, Path("/tmp") / args.db)
    else:
        t0 = time.perf_counter()
        platform = setup(args.url, args.db)
        gen_items(platform, args.items, args.public_items, rng)
        gen_applications(platform, args.applications, rng)
        print(f"generated in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    out = io.StringIO()
    for name, scope, fn, n in cases(platform):
        figures = timed(fn, n)
        print(f"{name}: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, "
              f"client CPU {figures['cpu_ms']} ms ({n} runs, load average {os.getloadavg()[0]:.1f})")
        out.write(
            f"\n### {name}\n\nmedian {figures['median_ms']} ms, p95 {figures['p95_ms']} ms "
            f"({n} runs)\n\n```\n"
        )
        with_policy, without = explain(platform, scope, fn)
        print(f"  EXPLAIN ANALYZE execution: {_execution_ms(with_policy)} under the policy, "
              f"{_execution_ms(without)} without it")
        out.write(with_policy + "\n```\n\nWithout the policy (same statement, as the owner):\n\n```\n")
        out.write(without + "\n```\n")
    print(out.getvalue())
    platform.close()


if __name__ == "__main__":
    main()
