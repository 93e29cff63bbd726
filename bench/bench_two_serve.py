"""Two ``govhall serve`` processes on different ports, one database, loaded at once (issue #14).

    python bench/bench_two_serve.py --database-url postgresql://postgres@127.0.0.1:5432/govhall_bench_two

What a province's load balancer does across machines, on one machine: process A (with the job runner)
and process B (``--no-jobs``) serve the same PostgreSQL database; ``wrk -c8`` on each at the same time
reads a handler's application with a bearer token, against ``wrk -c16`` on A alone, interleaved over
``--runs`` rounds. Then a grant revoked through A's database is refused by B (the notice reaches it).
Prints requests/s and writes bench/results/two_serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_http import free_port, prepare, wait_up, wrk  # noqa: E402


def serve(env: dict[str, str], port: int, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--port", str(port), *extra], env=env,
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "two_serve.json"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="govhall-two-"))
    info = prepare(args.database_url, tmp)
    env = {**os.environ, "GOVHALL_DATABASE_URL": args.database_url, "GOVHALL_DATA_DIR": str(tmp),
           "GOVHALL_LOG_FORMAT": "json", "PYTHONPATH": str(ROOT)}
    ports = free_port(), free_port()
    procs = [serve(env, ports[0]), serve(env, ports[1], "--no-jobs")]
    path = f"/api/t/360102/approval/applications/{info['app']}"
    auth = {"Authorization": f"Bearer {info['token']}"}
    one, two = [], []
    try:
        for port in ports:
            wait_up(f"http://127.0.0.1:{port}/healthz")
            wrk(f"http://127.0.0.1:{port}{path}", 2, auth)
        for r in range(args.runs):
            one.append(wrk(f"http://127.0.0.1:{ports[0]}{path}", args.duration, auth))
            with ThreadPoolExecutor(2) as pool:
                urls = [f"http://127.0.0.1:{p}{path}" for p in ports]
                both = list(pool.map(lambda u: _wrk8(u, args.duration, auth), urls))
            two.append(sum(both))
            print(f"run {r + 1}: one process {one[-1]:.0f} req/s; two processes {two[-1]:.0f} "
                  f"({both[0]:.0f} + {both[1]:.0f}) (load {os.getloadavg()[0]:.1f})", flush=True)
        revoked = _revoke_reaches_b(args.database_url, tmp, ports[1], path, auth)
    finally:
        for p in procs:
            p.terminate()
            p.wait(15)
    result = {"one_process": statistics.median(one), "two_processes": statistics.median(two),
              "ratio": statistics.median(b / a for a, b in zip(one, two, strict=True)), "runs_one": one,
              "runs_two": two, "revoke_seen_by_b_after_s": revoked}
    print(json.dumps(result, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))


def _wrk8(url: str, duration: int, headers: dict[str, str]) -> float:
    """wrk with 8 connections (half the load each, so the two processes share wrk -c16)."""
    flags = [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")]
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{duration}s", *flags, url], capture_output=True, text=True,
                         check=True).stdout
    return float(out.split("Requests/sec:")[1].split()[0])


def _revoke_reaches_b(url: str, tmp: Path, port: int, path: str, auth: dict[str, str]) -> float:
    """Revoke the handler's role in the database; seconds until process B answers 403."""
    import urllib.error
    import urllib.request

    from core.access.grants import revoke
    from core.db import Scope
    from core.identity.models import Account
    from tests.conftest import make_platform

    platform = make_platform(url, tmp)
    with platform.db.transaction(Scope.system()) as s:
        handler = s.query(Account).filter_by(username="donghu_handler").one()
        revoke(s, platform, account_id=handler.id, role="item_handler",
               tenant=platform.directory.get("360102"), actor="bench")
    platform.close()
    start = time.monotonic()
    while time.monotonic() - start < 10:
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=auth))
        except urllib.error.HTTPError as e:
            if e.code in (403, 404):
                return round(time.monotonic() - start, 3)
        time.sleep(0.01)
    return -1.0


if __name__ == "__main__":
    main()
