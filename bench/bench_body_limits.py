"""Server memory under oversized bodies, with and without the body limit (issue #10 item 4).

    python bench/bench_body_limits.py            # SQLite in a temporary folder, about a minute

For each attack of the issue — a 200 MB body to ``/api/login`` (declared, and chunked without a length)
and an upload of 60 parts of 10 MB to the apply API (bearer token: the CSRF check does not apply) — a
fresh ``uvicorn`` process serves the app, the client streams the body from one reused buffer (so only
the server's memory grows), and the server's peak resident memory (``VmHWM``) is read from /proc before
and after. ``baseline`` is the same code with ``BodyLimitMiddleware`` passed through (what every route
did before: read whatever came), ``limited`` the app as it ships. Prints MB of growth and writes
bench/results/body_limits.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_http import free_port, wait_up  # noqa: E402

MB = 1024 * 1024
LAUNCH = """
import os, sys, uvicorn
if os.environ.get("BENCH_NO_LIMIT"):
    import core.web.limits as limits
    async def passthrough(self, scope, receive, send):
        await self.app(scope, receive, send)
    limits.BodyLimitMiddleware.__call__ = passthrough
from core.app import create_app
uvicorn.run(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="error", access_log=False,
            proxy_headers=False)
"""


def prepare(data_dir: Path) -> str:
    """A migrated SQLite database with the demo; a bearer token of the demo citizen."""
    from sqlalchemy import select

    from core.db import Scope
    from core.demo import load_demo
    from core.identity.models import Account
    from core.identity.sessions import create_token
    from tests.conftest import make_platform

    url = f"sqlite:///{data_dir / 'govhall.db'}"
    platform = make_platform(url, data_dir, env="development")
    load_demo(platform, echo=lambda m: None)
    with platform.db.transaction(Scope.system()) as s:
        citizen = s.scalar(select(Account).where(Account.username == "citizen"))
        _row, token = create_token(s, citizen, name="bench", scopes=["*"], days=1,
                                   known_permissions=platform.registry.permissions)
    platform.close()
    return str(token)


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def send(port: int, head: str, chunks: Any, chunked: bool) -> str:
    """Send the request head, then the body chunk by chunk; the status line of the answer (the server may
    answer and close before the body is through)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    try:
        sock.sendall(head.encode())
        for chunk in chunks:
            try:
                if chunked:
                    sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        if chunked:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(b"0\r\n\r\n")
        data = b""
        try:
            while b"\r\n\r\n{" not in data or not data.rstrip().endswith(b"}"):
                part = sock.recv(4096)
                if not part:
                    break
                data += part
        except (ConnectionResetError, TimeoutError):
            pass
        status = data.split(b"\r\n", 1)[0].decode(errors="replace")
        body = data.split(b"\r\n\r\n", 1)[-1][:200].decode(errors="replace")
        return f"{status} {body}"
    finally:
        sock.close()


def login_body(total: int) -> Any:
    block = b" " * MB  # whitespace: valid JSON padding, so a reader that gets it all would parse it
    yield b'{"username": "x", "password": "y"'
    sent = 0
    while sent < total:
        yield block
        sent += len(block)
    yield b"}"


def upload_body(boundary: str, parts: int, size: int) -> tuple[int, Any]:
    block = b"\x00" * MB
    heads = [(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file_m{i}\"; filename=\"m{i}.pdf\"\r\n"
              "Content-Type: application/pdf\r\n\r\n").encode() for i in range(parts)]
    first = f'--{boundary}\r\nContent-Disposition: form-data; name="item_code"\r\n\r\nX\r\n'.encode()
    tail = f"--{boundary}--\r\n".encode()
    length = len(first) + sum(len(h) + size + 2 for h in heads) + len(tail)

    def gen() -> Any:
        yield first
        for h in heads:
            yield h
            for _ in range(size // MB):
                yield block
            yield b"\r\n"
        yield tail

    return length, gen()


def scenario(name: str, port: int, token: str) -> str:
    if name.startswith("login"):
        total = 200 * MB
        chunked = name.endswith("chunked")
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total + 36}"
        head = (f"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"{length}\r\nConnection: close\r\n\r\n")
        return send(port, head, login_body(total), chunked)
    boundary = "benchboundary7f3a"
    length_n, body = upload_body(boundary, 60, 10 * MB)
    chunked = name.endswith("chunked")
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length_n}"
    head = (f"POST /api/t/360102/approval/applications HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"{length}\r\nConnection: close\r\n\r\n")
    return send(port, head, body, chunked)


def run(name: str, limited: bool, env: dict[str, str], token: str) -> dict[str, Any]:
    port = free_port()
    run_env = {**env} if limited else {**env, "BENCH_NO_LIMIT": "1"}
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, str(port)], env=run_env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(f"http://127.0.0.1:{port}/healthz")
        before = peak_kb(proc.pid)
        started = time.perf_counter()
        status = scenario(name, port, token)
        seconds = time.perf_counter() - started
        time.sleep(0.5)
        grown = (peak_kb(proc.pid) - before) / 1024
    finally:
        proc.terminate()
        proc.wait(15)
    mode = "limited" if limited else "baseline"
    print(f"{name:<22} {mode:<8} peak RSS +{grown:7.1f} MB  {seconds:5.1f} s  {status}", flush=True)
    return {"scenario": name, "limited": limited, "peak_rss_growth_mb": round(grown, 1),
            "seconds": round(seconds, 2), "status": status}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "body_limits.json"))
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="govhall-limits-"))
    token = prepare(tmp)
    env = {**os.environ, "GOVHALL_DATABASE_URL": f"sqlite:///{tmp / 'govhall.db'}",
           "GOVHALL_DATA_DIR": str(tmp), "GOVHALL_ENV": "development", "PYTHONPATH": str(ROOT)}
    names = ["login_200mb", "login_200mb_chunked", "upload_60x10mb", "upload_60x10mb_chunked"]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    results = [run(name, limited, env, token) for name in names for limited in (False, True)]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
