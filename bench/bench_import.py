"""Throughput of the two importers through the real command line: `govhall approval import` (service
items) and `govhall credit import` (penalties), each N rows into a county of a freshly migrated database.

    python bench/bench_import.py [--rows 5000] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                 [--code /path/to/another/checkout ...] [--runs 1]

Each ``--code`` checkout (default: this one) is measured in the same run on the same machine, so a
branch can be compared with main (e.g. ``git archive main | tar -x -C /tmp/main``). The time of a one-row
import (start-up: Python, plugins, settings) is measured too and subtracted, so rows/s is the import's
own. Writes bench/results/import.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

from import_common import ROOT, Govhall, credit_csv, fresh_database, items_csv, temp_dir


def timed(gh: Govhall, *args: str) -> float:
    start = time.perf_counter()
    gh.run(*args)
    return time.perf_counter() - start


def one_run(code: Path, server_url: str, rows: int) -> dict[str, float]:
    tmp = temp_dir()
    try:
        with fresh_database(server_url, tmp) as url:
            gh = Govhall(code, url, tmp)
            gh.prepare()
            items_file, credit_file = items_csv(tmp / "items.csv", rows), credit_csv(tmp / "credit.csv", rows)
            # Start-up (a one-row import) three times into other counties: its median is subtracted.
            start_items = statistics.median(
                timed(gh, "approval", "import", str(items_csv(tmp / f"i{c}.csv", 1, f"ONE{c}")),
                      "--tenant", c) for c in ("360103", "360104", "360111"))
            items = timed(gh, "approval", "import", str(items_file), "--tenant", "360102")
            start_credit = statistics.median(
                timed(gh, "credit", "import", str(credit_csv(tmp / f"c{c}.csv", 1, f"O{c}")), "--tenant", c)
                for c in ("360104", "360111", "360112"))
            credit = timed(gh, "credit", "import", str(credit_file), "--tenant", "360103")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"approval_s": items, "approval_startup_s": start_items,
            "approval_rows_per_s": rows / max(items - start_items, 1e-3),
            "credit_s": credit, "credit_startup_s": start_credit,
            "credit_rows_per_s": rows / max(credit - start_credit, 1e-3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--database-url", default="", help="a PostgreSQL server URL (default: SQLite files)")
    ap.add_argument("--code", action="append", type=Path, help="checkout(s) to measure (default: this one)")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    codes = args.code or [ROOT]
    backend = "postgresql" if args.database_url else "sqlite"
    results = {}
    for code in codes:
        runs = [one_run(code, args.database_url, args.rows) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        results[str(code)] = med
        print(f"{code} ({backend}, {args.rows} rows, median of {args.runs}):")
        for what in ("approval", "credit"):
            print(f"  {what:<9} {med[f'{what}_s']:7.1f} s  (start-up {med[f'{what}_startup_s']:.1f} s)  "
                  f"{med[f'{what}_rows_per_s']:8.0f} rows/s", flush=True)
    if len(codes) > 1:
        base = results[str(codes[0])]
        for code in codes[1:]:
            for what in ("approval", "credit"):
                ratio = results[str(code)][f"{what}_rows_per_s"] / base[f"{what}_rows_per_s"]
                print(f"{what}: {code} / {codes[0]} = {ratio:.1f}x rows/s")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"import-{backend}.json").write_text(json.dumps({"rows": args.rows, "backend": backend,
                                                            "results": results}, indent=2))


if __name__ == "__main__":
    main()
