"""HTTP throughput of govhall's paths against naive baselines, interleaved in one run (issues #2, #14).

    python bench/bench_http.py [--duration 10] [--runs 3] [--database-url URL] [--out FILE]

Starts every server once, side by side (uvicorn with httptools/uvloop, loopback): the bare baselines
(bench/bare_apps.py), govhall with 1 worker and govhall with 2 workers, all on the same database with
the Jiangxi tree and the demo data. Then, for each run, loads every endpoint in turn with
``wrk -t2 -c16`` — so each comparison is measured in the same minutes, under the same load from
whatever else the machine runs — and reports the median requests/s per endpoint, the median of the
per-run ratios, the server's CPU time per request (its process tree, from /proc: what a request costs,
less disturbed by other load than requests/s) and govhall's round trips per request per path (from its
request log, ``sql``).
Writes bench/results/http.json (or --out).
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
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (key, server, path template, auth) — auth: None, "token" (bearer) or "session" (cookie)
ENDPOINTS = [
    ("bare_hello", "bare", "/hello", None),
    ("govhall_hall_guest", "govhall", "/t/360102/", None),
    ("bare_orm_row", "bare", "/row/360000/fgw", None),
    ("govhall_department_row", "govhall", "/api/t/360000/hall/departments/fgw", None),
    ("naive_token_application", "bare", "/naive/applications/{app}", "token"),
    ("govhall_token_application", "govhall", "/api/t/360102/approval/applications/{app}", "token"),
    ("govhall_token_application_2w", "govhall2", "/api/t/360102/approval/applications/{app}", "token"),
    ("govhall_workbench", "govhall", "/t/360102/approval/workbench", "session"),
    ("govhall_hall_logged_in", "govhall", "/t/360102/", "session"),
]
# (name, numerator, denominator, aim)
RATIOS = [
    ("hall page (guest) / bare JSON", "govhall_hall_guest", "bare_hello", 0.30),
    ("department row, full chain / naive ORM row", "govhall_department_row", "bare_orm_row", 0.60),
    ("token -> application / naive token -> application", "govhall_token_application",
     "naive_token_application", 1.0),
    ("token -> application / naive ORM row", "govhall_token_application", "bare_orm_row", 1.0),
    ("workbench page / naive ORM row", "govhall_workbench", "bare_orm_row", 0.5),
    ("hall page logged in / guest", "govhall_hall_logged_in", "govhall_hall_guest", 0.5),
    ("token -> application, 2 workers / 1 worker", "govhall_token_application_2w",
     "govhall_token_application", 1.7),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server did not come up: {url}")


def wrk(url: str, duration: int, headers: dict[str, str], pid: int | None = None, key: str = "") -> float:
    """Requests/s; with ``pid``, also records the server's CPU ms per request in ``CPU[key or url]`` (by
    endpoint key: the guest and the logged-in hall share a URL, and their samples were once mixed)."""
    flags = [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")]
    cmd = ["wrk", "-t2", "-c16", f"-d{duration}s", *flags, url]
    before = tree_cpu(pid) if pid else 0.0
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} error responses\n{out}")
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    if pid and done and int(done.group(1)):
        CPU.setdefault(key or url, []).append((tree_cpu(pid) - before) * 1000 / int(done.group(1)))
    return float(m.group(1)) if m else 0.0


CPU: dict[str, list[float]] = {}


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its descendants (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, parents = 0.0, {pid}
    stats = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats.append((int(entry), int(fields[1]), int(fields[11]) + int(fields[12])))
    grew = True
    while grew:
        grew = False
        for p, ppid, _t in stats:
            if ppid in parents and p not in parents:
                parents.add(p)
                grew = True
    for p, _ppid, t in stats:
        if p in parents:
            total += t / tick
    return total


def prepare(url: str, data_dir: Path) -> dict[str, Any]:
    """Migrate, apply the tree, load the demo data; a handler's token and session; an application."""
    from sqlalchemy import select

    from core.db import Scope
    from core.demo import load_demo
    from core.identity.models import Account
    from core.identity.sessions import create_token, start_session
    from plugins.approval.models import Application
    from tests.conftest import make_platform

    platform = make_platform(url, data_dir, env="development")
    load_demo(platform, echo=lambda m: None)
    tenant = platform.directory.get("360102")
    with platform.db.transaction(Scope.system()) as s:
        handler = s.scalar(select(Account).where(Account.username == "donghu_handler"))
        _row, token = create_token(s, handler, name=f"bench{time.time_ns()}", scopes=["*"], days=1,
                                   known_permissions=platform.registry.permissions)
        cookie = start_session(s, handler, days=1)
    with platform.db.session(tenant.scope) as s:  # an accepted case of the handler's department
        app_id = s.scalar(select(Application.id).where(Application.state == "accepted")
                          .order_by(Application.id))
    platform.close()
    return {"token": token, "cookie": cookie, "app": app_id}


def start_servers(env: dict[str, str], logs: Path, *, two_workers: bool,
                  ) -> tuple[dict[str, int], list[subprocess.Popen[bytes]]]:
    uv = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--log-level", "warning",
          "--no-access-log"]
    specs = {"bare": ("bench.bare_apps:app", 1), "govhall": ("core.asgi:app", 1)}
    if two_workers:  # SQLite serves from one process
        specs["govhall2"] = ("core.asgi:app", 2)
    ports, procs = {}, []
    for name, (target, workers) in specs.items():
        ports[name] = port = free_port()
        # govhall logs one JSON line per request to stderr, as in production; kept to count round trips.
        err = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        procs.append(subprocess.Popen([*uv, "--port", str(port), "--workers", str(workers), target], env=env,
                                      cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err))
    for name, port in ports.items():
        wait_up(f"http://127.0.0.1:{port}/hello" if name == "bare" else f"http://127.0.0.1:{port}/healthz")
    return ports, procs


def round_trips(log: Path) -> dict[str, float]:
    """Median ``sql`` per request path and guest/logged in, over the run (govhall's own request log)."""
    seen: dict[str, list[int]] = defaultdict(list)
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"event": "request"' in line:
            entry = json.loads(line)
            who = "guest" if entry.get("actor") == "guest" else "authenticated"
            seen[f"{entry['path']} ({who})"].append(entry.get("sql", -1))
    return {path: statistics.median(v) for path, v in seen.items()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="govhall-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'govhall.db'}"
    print(f"preparing {url} ...", flush=True)
    info = prepare(url, tmp)
    env = {**os.environ, "GOVHALL_DATABASE_URL": url, "GOVHALL_DATA_DIR": str(tmp),
           "GOVHALL_LOG_FORMAT": "json", "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    is_sqlite = url.startswith("sqlite")
    endpoints = [e for e in ENDPOINTS if not (is_sqlite and e[1] == "govhall2")]  # SQLite: one process
    ports, procs = start_servers(env, tmp, two_workers=not is_sqlite)
    auth = {None: {}, "token": {"Authorization": f"Bearer {info['token']}"},
            "session": {"Cookie": f"govhall_session={info['cookie']}"}}
    samples: dict[str, list[float]] = defaultdict(list)
    cpu_ms: dict[str, list[float]] = {}
    pids = {name: proc.pid for name, proc in zip(ports, procs, strict=True)}
    try:
        for _key, server, path, how in endpoints:  # warm-up: caches, pools, first compiles
            wrk(f"http://127.0.0.1:{ports[server]}{path.format(**info)}", 2, auth[how])
        for r in range(args.runs):
            print(f"run {r + 1}/{args.runs} (load average {os.getloadavg()[0]:.1f})", flush=True)
            for key, server, path, how in endpoints:
                target = f"http://127.0.0.1:{ports[server]}{path.format(**info)}"
                value = wrk(target, args.duration, auth[how], pids[server], key)
                samples[key].append(value)
                cpu_ms[key] = CPU[key]
                print(f"  {key:<32} {value:>9.0f} req/s  {CPU[key][-1]:.3f} ms CPU/request", flush=True)
    finally:
        for p in procs:
            p.terminate()
            p.wait(15)
    medians = {k: statistics.median(v) for k, v in samples.items()}
    ratios = {}
    for name, num, den, aim in RATIOS:
        if num in samples and den in samples:
            per_run = [a / b for a, b in zip(samples[num], samples[den], strict=True)]
            ratios[name] = {"median": statistics.median(per_run), "runs": per_run, "aim": aim}
    trips = round_trips(tmp / "govhall.log")
    cpu = {k: statistics.median(v) for k, v in cpu_ms.items()}
    for name, num, den, _aim in RATIOS:  # the same comparison by server CPU per request (den / num)
        if num in cpu and den in cpu and not name.endswith("1 worker"):
            ratios[name]["cpu_ratio"] = cpu[den] / cpu[num]
    return {"database": url.split(":", 1)[0], "runs": dict(samples), "medians": medians, "ratios": ratios,
            "cpu_ms_per_request": cpu, "round_trips": trips}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--runs", type=int, default=3, help="interleaved rounds (medians reported)")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "http.json"), help="JSON result file")
    args = ap.parse_args()
    result = run(args)
    print("\nmedian requests/s:")
    for key, value in result["medians"].items():
        print(f"  {key:<32} {value:>9.0f}")
    print("server CPU ms per request (median):")
    for key, value in result["cpu_ms_per_request"].items():
        print(f"  {key:<32} {value:>9.2f}")
    print("ratios (median of per-run ratios; by CPU per request in brackets):")
    for name, r in result["ratios"].items():
        by_cpu = f"  [{r['cpu_ratio']:.2f}]" if "cpu_ratio" in r else ""
        print(f"  {name:<52} {r['median']:.2f}{by_cpu}  (aim >= {r['aim']})")
    print("round trips per request (govhall, median):")
    for path, n in result["round_trips"].items():
        print(f"  {path:<48} {n}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
