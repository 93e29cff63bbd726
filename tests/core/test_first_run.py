"""First run: `govhall serve --demo` prints the URL and the demo accounts with their password (only in
demo mode), serves /favicon.ico, and says in one line what to do about a year without holiday data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(args: list[str], env: dict[str, str], port: int) -> tuple[str, bytes, str]:
    """Start the server, wait for it, fetch /favicon.ico, stop it; returns (output, icon, content type)."""
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--port", str(port), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico", timeout=2) as r:
                    icon, ctype = r.read(), r.headers["content-type"]
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "govhall serve did not answer"
                time.sleep(0.3)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    return out, icon, ctype


@pytest.mark.slow
def test_serve_demo_prints_the_accounts_and_serves_a_favicon(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(GOVHALL_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    port = _free_port()
    out, icon, ctype = _serve(["--demo", "--no-jobs"], env, port)
    assert f"govhall serving on http://127.0.0.1:{port}/" in out
    assert "demo accounts (password Govhall2026demo for all; demo mode only):" in out
    for username in ("citizen", "enterprise", "donghu_handler", "nanchang_admin", "province_supervisor",
                     "province_admin"):
        assert f"\n  {username} " in out, out
    assert "comprehensive_admin at 360100 and below" in out
    assert ctype == "image/x-icon" and icon[:4] == b"\x00\x00\x01\x00"  # an ICO header
    for line in out.splitlines():  # a year beyond the holiday data: one line that says what to do
        if "calendar.no_holiday_data" in line:
            assert "govhall calendar import FILE" in line
    again, _icon, _ctype = _serve(["--no-jobs"], env, _free_port())  # the same database, not in demo mode
    assert "Govhall2026demo" not in again and "demo accounts" not in again


def test_pages_link_the_svg_icon(client):
    page = client.get("/t/360102/")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.text.startswith("<svg")
