"""Tenant directory at Jiangxi scale (21,682 tenants): apply time, load time, and the per-request cost of
resolving a tenant by code and computing its enabled plugin set (cold and cached), in one run.

    python bench/bench_directory.py                     # fresh SQLite database under a temp dir
    GOVHALL_DATABASE_URL=postgresql://... python bench/bench_directory.py   # an EMPTY PostgreSQL db

Prints a Markdown table (recorded in docs/benchmarks.md). Timings per operation use perf_counter_ns
around each call, so sub-microsecond figures include ~0.1 µs of timer overhead.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_tree import generate  # noqa: E402
from core.db import Scope, migrate  # noqa: E402
from core.platform import Platform  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.tenancy import loader  # noqa: E402


def _stats(samples_ns: list[int]) -> str:
    s = sorted(samples_ns)
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))]
    return f"{statistics.median(s) / 1000:.2f} µs | {p99 / 1000:.2f} µs"


def _timed(fn: Any, items: list[Any]) -> list[int]:
    out = []
    for item in items:
        t0 = time.perf_counter_ns()
        fn(item)
        out.append(time.perf_counter_ns() - t0)
    return out


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="govhall-bench-"))
    url = os.environ.get("GOVHALL_DATABASE_URL") or f"sqlite:///{work / 'bench.db'}"
    platform = Platform.start(load_settings(overrides={"database_url": url, "data_dir": str(work)}))
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    plugins = sorted(n for n, p in platform.registry.plugins.items() if not p.info.required)
    text, count = generate(plugins)
    tree_file = work / "tree.toml"
    tree_file.write_text(text, encoding="utf-8")
    rows = []

    t0 = time.perf_counter()
    tree, lines, path = loader.load_file(tree_file)
    t1 = time.perf_counter()
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    t2 = time.perf_counter()
    with platform.db.transaction(Scope.system()) as s:
        report = loader.apply(s, tree, platform.directory, actor="bench")
    t3 = time.perf_counter()
    rows.append(("`tenants apply` of the generated file (parse / validate / write)",
                 f"{t3 - t0:.2f} s total: {t1 - t0:.2f} / {t2 - t1:.2f} / {t3 - t2:.2f} s", report.summary()))
    t0 = time.perf_counter()
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    with platform.db.transaction(Scope.system()) as s:
        again = loader.apply(s, tree, platform.directory, actor="bench")
    rows.append(("`tenants apply` again (idempotent)", f"{time.perf_counter() - t0:.2f} s", again.summary()))

    loads = []
    for _ in range(5):
        t0 = time.perf_counter()
        platform.refresh(force=True)
        loads.append(time.perf_counter() - t0)
    directory = platform.directory
    rows.append(("load the directory (3 SELECTs, snapshot build)",
                 f"{statistics.median(loads) * 1000:.0f} ms median of 5", f"{len(directory.by_id)} tenants"))

    rng = random.Random(42)
    codes = rng.sample(sorted(directory.by_code), 10_000)
    rows.append(("resolve a tenant by code", _stats(_timed(directory.get, codes)), "10,000 random codes"))
    refs = [directory.by_code[c] for c in codes]
    rows.append(("enabled plugin set, cold (first call in a fresh snapshot)",
                 _stats(_timed(directory.enabled, refs)), f"{len(plugins)} switchable plugins"))
    rows.append(("enabled plugin set, cached", _stats(_timed(directory.enabled, refs)), ""))
    rows.append(("per-tenant hook caller (`platform.hooks(tenant)`), cached",
                 _stats(_timed(platform.hooks, refs)),
                 f"{len({directory.enabled(r) for r in refs})} distinct enabled sets"))
    platform.close()

    backend = platform.db.engine.url.get_backend_name()
    print(f"\n{count} tenants on {backend}, Python {sys.version.split()[0]}\n")
    print("| measure | median | p99 / detail | note |\n| --- | --- | --- | --- |")
    for name, value, note in rows:
        median, _, rest = value.partition(" | ")
        print(f"| {name} | {median} | {rest or '-'} | {note} |")


if __name__ == "__main__":
    main()
