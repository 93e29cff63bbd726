"""A citizen's submission in one county while another county imports penalties (issue #13 item 1).

    python bench/bench_submit_during_import.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
                                               [--rows 3000] [--code /path/to/another/checkout ...]

For each checkout (default: this one; pass main's as well to compare in one run): a fresh PostgreSQL
database with the demo data, `govhall serve` on it, a citizen's API token. Then submissions of
"个体工商户登记" in Donghu (360102) through the real API (multipart, bearer token), one after another:
first with nothing else running (idle), then while `govhall credit import` writes ROWS penalties into
Xihu (360103) in one transaction. Reports the submission latency (median, p95, max) idle and during the
import, and the import's duration. Writes bench/results/submit_during_import.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from import_common import ROOT, Govhall, credit_csv, fresh_database, temp_dir

PDF = b"%PDF-1.4 bench document\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, data) in files.items():
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/pdf\r\n\r\n")
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit(base: str, token: str) -> float:
    body, ctype = multipart({"item_code": "DH-GT-002"},
                            {"file_form": ("form.pdf", PDF), "file_id": ("id.pdf", PDF)})
    req = urllib.request.Request(f"{base}/api/t/360102/approval/applications", data=body, method="POST",
                                 headers={"Content-Type": ctype, "Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as r:
        r.read()
        if r.status != 201:
            raise SystemExit(f"submission answered {r.status}")
    return time.perf_counter() - start


def wait_up(url: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read()[-3000:] if proc.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server did not come up: {url}")


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"n": len(values), "median_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, "max_ms": ordered[-1] * 1000}


def one_checkout(code: Path, server_url: str, rows: int, idle: int) -> dict[str, Any]:
    tmp = temp_dir()
    try:
        with fresh_database(server_url, tmp) as url:
            gh = Govhall(code, url, tmp)
            gh.prepare(demo=True)
            token = gh.run("tokens", "create", "citizen", "--name", "bench").stdout.strip().splitlines()[-1]
            penalties = credit_csv(tmp / "penalties.csv", rows)
            port = free_port()
            server = gh.popen("serve", "--port", str(port), "--no-jobs")
            base = f"http://127.0.0.1:{port}"
            try:
                wait_up(f"{base}/healthz", server)
                for _ in range(5):
                    submit(base, token)  # warm-up
                quiet = [submit(base, token) for _ in range(idle)]
                started = time.perf_counter()
                importer = gh.popen("credit", "import", str(penalties), "--tenant", "360103")
                busy: list[float] = []
                while importer.poll() is None:
                    busy.append(submit(base, token))
                took = time.perf_counter() - started
                _out, err = importer.communicate()
                if importer.returncode != 0:
                    raise SystemExit(f"import failed: {err[-3000:]}")
            finally:
                server.terminate()
                server.wait(20)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"idle": stats(quiet), "during_import": stats(busy), "import_s": took}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True, help="PostgreSQL server URL")
    ap.add_argument("--rows", type=int, default=3000, help="penalties in the import")
    ap.add_argument("--idle", type=int, default=30, help="submissions measured before the import")
    ap.add_argument("--code", action="append", type=Path, help="checkout(s) to measure (default: this one)")
    args = ap.parse_args()
    results = {}
    for code in args.code or [ROOT]:
        r = one_checkout(code, args.database_url, args.rows, args.idle)
        results[str(code)] = r
        print(f"{code}: import of {args.rows} rows took {r['import_s']:.1f} s")
        for phase in ("idle", "during_import"):
            s = r[phase]
            print(f"  {phase:<14} n={s['n']:<4} median {s['median_ms']:8.0f} ms  p95 {s['p95_ms']:8.0f} ms  "
                  f"max {s['max_ms']:8.0f} ms", flush=True)
        ratio = r["during_import"]["median_ms"] / r["idle"]["median_ms"]
        print(f"  median during import / idle = {ratio:.1f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "submit_during_import.json").write_text(json.dumps({"rows": args.rows, "results": results},
                                                              indent=2))


if __name__ == "__main__":
    main()
