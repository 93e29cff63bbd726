"""Custom against generic plans of the workbench queue at scale (issue #14): may it use the stable-plan pool?

    python bench/bench_plans.py --db govhall_bench_speed_10m      # a database left by bench_approval.py

Every pool of govhall plans each statement afresh (``plan_cache_mode=force_custom_plan``); the stable-plan
pool (``Database.read_connection(scope, stable_plan=True)``) lets PostgreSQL reuse a generic plan. A
statement belongs there only if its generic plan is never worse than its custom plans — this measures that
for ``plugins.approval.queries.queue`` in every shape the page and the API use (the page: new cases first;
plain; overdue; a search; the API's cursor at the start, the middle and the end of the ids), for a busy
county department, the busiest city department, quieter ones, a department with no cases and a village
with none, on two connections prepared at once (``prepare_threshold=1``): one forced to custom plans, one
to generic plans, as the application role under row-level security. Prints the median ms of 12 runs
(after 3 warm-ups) per case; a generic figure above its custom one is a reason not to use the pool.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402

from core.db.engine import set_scope  # noqa: E402
from core.db.scope import Scope  # noqa: E402
from plugins.approval import queries  # noqa: E402

CASES = [("360000/360100/360102", "xzspj"), ("360000/360700", "mzj"), ("360000/361000/361024", "rsj"),
         ("360000/360700/360733", "scjgj"), ("360000/360100/360102", "nosuch"),
         ("360000/360100/360102/360102001", "xzspj")]
SHAPES: dict[str, dict[str, Any]] = {
    "page (new first, 100)": {"new_first": True, "limit": 100},
    "plain (50)": {"limit": 50},
    "overdue (50)": {"due": "overdue", "limit": 50},
    "search (new first, 100)": {"q": "张", "limit": 100, "new_first": True},
    "API cursor after id 100": {"after_id": 100, "limit": 51},
    "API cursor after id 5M": {"after_id": 5_000_000, "limit": 51},
    "API cursor after id 9.9M": {"after_id": 9_900_000, "limit": 51},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="govhall_bench_speed_10m")
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/")
    args = ap.parse_args()
    conns = {}
    for mode in ("force_custom_plan", "force_generic_plan"):
        engine = create_engine(args.url + args.db, isolation_level="AUTOCOMMIT",
                               connect_args={"options": f"-c plan_cache_mode={mode}", "prepare_threshold": 1})
        conns[mode] = engine.connect()
    print(f"{'shape':<26} {'tenant/department':<24} {'rows':>4} {'custom ms':>10} {'generic ms':>11}")
    worse = 0
    for shape, kw in SHAPES.items():
        for path, dep in CASES:
            scope = Scope(path=path)
            figures, rows = [], 0
            for conn in conns.values():
                set_scope(conn, scope, local=False)
                times = []
                for _ in range(15):
                    t = time.perf_counter()
                    rows = len(queries.queue(conn, scope, frozenset({dep}), **kw))
                    times.append((time.perf_counter() - t) * 1000)
                figures.append(statistics.median(times[3:]))
            worse += figures[1] > figures[0] * 1.2
            print(f"{shape:<26} {path.rsplit('/', 1)[-1] + '/' + dep:<24} {rows:>4} {figures[0]:>10.2f} "
                  f"{figures[1]:>11.2f}", flush=True)
    print(f"cases where the generic plan was more than 20 % slower: {worse}")


if __name__ == "__main__":
    main()
