"""The database cannot be reached: every request answers 503 with the standard error shape and a
Retry-After, /healthz says no more than "unavailable" to the public, and the log holds one line per outage
and interval, not a traceback per request. Both ways an operator meets it: the app pointed at a database
that is not there, and access cut while the server runs (PostgreSQL, through a TCP proxy we close)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount, Route, Router
from starlette.testclient import TestClient

from core.app import create_app
from core.db.outage import OutageLog
from tests.conftest import make_platform

DEAD = {
    "postgresql_closed_port": "postgresql://postgres@127.0.0.1:1/govhall",
    "sqlite_missing_directory": "sqlite:////nonexistent-govhall-dir/govhall.db",
}
_PARAMS = {"tenant_code": "360102", "code": "DH-SP-001", "app_id": "1", "action": "accept",
           "path": "hall.css", "card_id": "1", "record_id": "1", "username": "citizen", "token_id": "1",
           "plugin": "credit"}


def _routes(routes: list[Any], prefix: str = "") -> list[tuple[str, set[str]]]:
    """(path with parameters filled in, methods) of every route, plugin mounts included."""
    out: list[tuple[str, set[str]]] = []
    for route in routes:
        if isinstance(route, Mount):
            inner = route.app
            while not isinstance(inner, Router) and hasattr(inner, "app"):
                inner = inner.app  # the plugin gate wraps the plugin's router
            out += _routes(list(getattr(inner, "routes", [])), prefix + route.path)
        elif isinstance(route, Route):
            path = re.sub(r"{(\w+)(:\w+)?}", lambda m: _PARAMS.get(m.group(1), "1"), prefix + route.path)
            out.append((path, set(route.methods or {"GET"})))
    return out


@pytest.mark.server_errors_expected  # 503 on purpose: the database is down
@pytest.mark.parametrize("url", sorted(DEAD.values()), ids=sorted(DEAD))
def test_every_route_answers_503_not_500_when_the_database_is_not_there(url, tmp_path):
    platform = make_platform(url, tmp_path)
    app = create_app(platform=platform)
    seen: dict[int, int] = {}
    with TestClient(app, raise_server_exceptions=True) as client:  # starts although the database is down
        for path, methods in _routes(list(app.routes)):
            for method in sorted(methods - {"HEAD"}):
                r = client.request(method, path, headers={"Cookie": "govhall_session=" + "x" * 40})
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
                assert r.status_code != 500, (method, path, r.text[:300])
                if r.status_code != 503:
                    continue
                assert r.headers["retry-after"] == "30", (method, path)
                if path.startswith("/api/"):
                    assert r.json()["error"]["code"] == "database_unavailable", (method, path)
                elif path != "/healthz":
                    assert "系统暂时无法使用" in r.text and "503" in r.text, (method, path)
    assert seen.get(503, 0) > 30, seen  # the sweep reached the routes that need the database
    platform.close()


@pytest.mark.server_errors_expected  # 503 on purpose: the database is down
def test_healthz_is_terse_for_the_public_and_detailed_for_the_operator(tmp_path):
    platform = make_platform(DEAD["postgresql_closed_port"], tmp_path, health_token="s3cret-operator")
    with TestClient(create_app(platform=platform)) as client:
        public = client.get("/healthz")
        assert public.status_code == 503 and public.json() == {"status": "unavailable"}
        assert "127.0.0.1" not in public.text and public.headers["retry-after"] == "30"
        wrong = client.get("/healthz", headers={"Authorization": "Bearer guess"})
        assert wrong.json() == {"status": "unavailable"}
        operator = client.get("/healthz", headers={"Authorization": "Bearer s3cret-operator"}).json()
        assert operator["status"] == "unavailable" and operator["outage"]["down"] is True
        assert "127.0.0.1" in operator["database"] or "connect" in operator["database"].lower()
    platform.close()


def test_healthz_when_up_says_ok_and_nothing_else(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


class _Capture:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, Any]]] = []

    def warning(self, event: str, **kw: Any) -> None:
        self.lines.append((event, kw))


def test_an_outage_is_logged_once_per_interval_and_once_when_it_ends(monkeypatch):
    from sqlalchemy.exc import OperationalError

    import core.db.outage as outage

    capture = _Capture()
    monkeypatch.setattr(outage, "log", capture)
    clock = [1000.0]
    monkeypatch.setattr(outage.time, "monotonic", lambda: clock[0])
    book = OutageLog(interval=60)
    exc = OperationalError("SELECT 1", {}, Exception("connection refused"))
    for _ in range(500):  # 500 requests in the first minute
        book.failed(exc, "request")
        clock[0] += 0.1
    clock[0] += 20
    book.failed(exc, "request")  # the next minute: one line, counting what it absorbed
    book.ok()
    book.ok()
    assert [e for e, _ in capture.lines] == ["database.unavailable", "database.still_unavailable",
                                             "database.recovered"]
    assert capture.lines[1][1]["failures_since_last_line"] == 500
    assert capture.lines[2][1]["failures"] == 501


# -- access cut while the server runs (PostgreSQL) ---------------------------------------------------------

class Proxy:
    """A TCP proxy to PostgreSQL that the test can cut (connections reset, port refused) and restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self.open()

    def open(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def cut(self) -> None:
        if self._server is not None:
            # shutdown wakes the accept() blocked in the other thread (close() alone does not, on Linux)
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()
        self._conns = []

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            if self._server is not server:  # accepted while being cut
                client.close()
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, token: str = "") -> tuple[int, str, dict[str, str]]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode(), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), {k.lower(): v for k, v in exc.headers.items()}


@pytest.mark.server_errors_expected  # 503 on purpose: the database is down
@pytest.mark.postgres
@pytest.mark.slow
def test_access_cut_mid_run_gives_503s_and_one_log_line_then_recovers(db_url, tmp_path):
    from sqlalchemy.engine import make_url

    real = make_url(db_url)
    proxy = Proxy((real.host or "127.0.0.1", real.port or 5432))
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(GOVHALL_DATABASE_URL=url, GOVHALL_DATA_DIR=str(tmp_path), GOVHALL_HEALTH_TOKEN="op-token",
               PYTHONPATH=str(Path(__file__).resolve().parents[3]))
    log = (tmp_path / "server.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _get(base + "/healthz")[0] == 200, proc)
        assert _get(base + "/t/360102/")[0] == 200
        proxy.cut()
        # (the guest hall page and the department list are served from memory and stay up)
        paths = ["/t/360102/approval/items", "/api/t/360102/approval/items"]
        answers = [_get(base + path) for path in paths * 50]
        wrong = [(p, a[0]) for p, a in zip(paths * 50, answers, strict=True) if a[0] != 503]
        assert wrong == []
        assert all(a[2].get("retry-after") == "30" for a in answers)
        assert '"code":"database_unavailable"' in answers[1][1].replace(" ", "")
        status, body, _ = _get(base + "/healthz")
        assert (status, body.replace(" ", "")) == (503, '{"status":"unavailable"}')
        assert _get(base + "/healthz", token="op-token")[1].count("down") == 1
        time.sleep(3)  # the job runner and the watcher fail every second meanwhile
        proxy.open()
        _wait(lambda: _get(base + "/t/360102/approval/items")[0] == 200, proc)
        time.sleep(1.5)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proxy.cut()
    log.seek(0)
    text = log.read()
    assert "Traceback" not in text, text[-3000:]
    assert text.count("database.unavailable") == 1, text[-3000:]
    assert text.count("database.recovered") == 1, text[-3000:]


def _wait(ready: Any, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except OSError:
            pass
        assert proc.poll() is None, "the server exited"
        assert time.monotonic() < deadline, "timed out waiting for the server"
        time.sleep(0.3)


def test_a_command_says_the_database_cannot_be_reached(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from core.cli import cli as root

    monkeypatch.setenv("GOVHALL_DATABASE_URL", DEAD["postgresql_closed_port"])
    monkeypatch.setenv("GOVHALL_DATA_DIR", str(tmp_path))
    r = CliRunner().invoke(root, ["tenants", "tree"], catch_exceptions=False)
    assert r.exit_code == 1
    assert "error: the database cannot be reached" in r.output and "Traceback" not in r.output
