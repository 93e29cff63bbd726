"""HTTP throughput of govhall against bare Starlette, in one run on one machine (issue #2).

    python bench/bench_http.py [--duration 10] [--runs 3] [--database-url URL]

Compares, with the same server settings (uvicorn, 1 worker, loopback, wrk -t2 -c16):
  (a) bare Starlette JSON  vs  govhall's hall page /t/360102/
  (b) bare Starlette + one ORM row  vs  govhall plugin JSON endpoint reading one row through the full
      chain (request id + log line, tenant, actor, plugin gate, permission):
      /api/t/360000/hall/departments/fgw
Prints requests/s (median of runs) and the ratios; writes bench/results/http.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"server did not come up: {url}")


def wrk(url: str, duration: int) -> float:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{duration}s", url], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} error responses\n{out}")
    return float(m.group(1)) if m else 0.0


def serve(cmd: list[str], env: dict[str, str], probe: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(probe)
    return proc


def measure(name: str, cmd: list[str], env: dict[str, str], port: int, path: str, args: argparse.Namespace,
            ) -> float:
    proc = serve(cmd, env, f"http://127.0.0.1:{port}{path}")
    try:
        wrk(f"http://127.0.0.1:{port}{path}", 2)  # warm-up
        runs = [wrk(f"http://127.0.0.1:{port}{path}", args.duration) for _ in range(args.runs)]
    finally:
        proc.terminate()
        proc.wait(10)
    value = statistics.median(runs)
    print(f"  {name:<44} {value:>9.0f} req/s   runs: {', '.join(f'{r:.0f}' for r in runs)}", flush=True)
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--runs", type=int, default=3, help="runs per endpoint (median reported)")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="govhall-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'govhall.db'}"
    env = {**os.environ, "GOVHALL_DATABASE_URL": url, "GOVHALL_DATA_DIR": str(tmp),
           "GOVHALL_LOG_FORMAT": "json", "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    print(f"preparing {url} ...", flush=True)
    subprocess.run([sys.executable, "-m", "core.cli", "migrate"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "core.cli", "tenants", "apply", "tenants/jiangxi.toml", "-q"],
                   env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    uv = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
          "--log-level", "warning", "--no-access-log"]
    # govhall logs one JSON line per request to stderr, as in production; the bench discards it.
    bare, govhall = [*uv, "bench.bare_apps:app"], [*uv, "core.asgi:app"]
    results = {
        "bare_hello": measure("bare Starlette JSON", bare, env, port, "/hello", args),
        "govhall_hall": measure("govhall hall page /t/360102/", govhall, env, port, "/t/360102/", args),
        "bare_orm_row": measure("bare Starlette + SQLAlchemy ORM row", bare, env, port, "/row/360000/fgw",
                                args),
        "govhall_row": measure("govhall plugin API row (full chain)", govhall, env, port,
                               "/api/t/360000/hall/departments/fgw", args),
    }
    ratio_a = results["govhall_hall"] / results["bare_hello"]
    ratio_b = results["govhall_row"] / results["bare_orm_row"]
    print(f"(a) hall page / bare JSON          = {ratio_a:.2f}  (aim >= 0.30)")
    print(f"(b) full-chain row / bare ORM row  = {ratio_b:.2f}  (aim >= 0.60; > 1.0 beats the naive path)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "http.json").write_text(json.dumps({"database": url.split(":", 1)[0], **results,
                                               "ratio_a": ratio_a, "ratio_b": ratio_b}, indent=2))


if __name__ == "__main__":
    main()
