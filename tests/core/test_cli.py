"""The command line as a whole: its groups, bad arguments, the database it uses, and `govhall serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import cli as root


def test_help_lists_every_core_command():
    r = CliRunner().invoke(root, ["--help"])
    assert r.exit_code == 0
    for name in ("tenants", "plugins", "settings", "audit", "migrate", "serve"):
        assert name in r.output
    plugins = CliRunner().invoke(root, ["plugins", "--help"]).output
    for sub in ("list", "enable", "disable", "inherit", "status", "new"):
        assert sub in plugins


@pytest.mark.parametrize("args", [
    ("nosuch",),
    ("tenants", "tree", "--depth", "x"),
    ("tenants", "move", "360102"),
    ("plugins", "enable"),
    ("plugins", "status", "--tenant"),
    ("serve", "--port", "0"),
    ("serve", "--port", "70000"),
])
def test_bad_arguments_exit_2_with_usage(cli, args):
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert "Usage:" in r.output or "Error" in r.output


def test_migrate_is_a_no_op_on_a_migrated_database(cli):
    r = cli("migrate")
    assert r.exit_code == 0, r.output
    assert "nothing to do" in r.output


def test_commands_use_the_database_in_the_environment(cli, monkeypatch, tmp_path):
    empty = tmp_path / "other" / "empty.db"
    empty.parent.mkdir()
    monkeypatch.setenv("GOVHALL_DATABASE_URL", f"sqlite:///{empty}")
    refused = cli("serve")
    assert refused.exit_code == 1 and "not migrated" in refused.output and "govhall migrate" in refused.output
    assert cli("migrate").exit_code == 0
    assert empty.exists()
    assert cli("tenants", "tree").exit_code == 1  # migrated but empty: says to apply a tree file


def test_workers_need_postgresql(cli, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("the refusal is for SQLite")
    r = cli("serve", "--workers", "2")
    assert r.exit_code == 2 and "--workers" in r.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_govhall_serve_answers_over_http(db_url, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(GOVHALL_DATABASE_URL=db_url, GOVHALL_DATA_DIR=str(tmp_path),
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    exe = Path(sys.executable).with_name("govhall")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from core.cli import main; main()"]
    proc = subprocess.Popen([*cmd, "serve", "--port", str(port), "--no-jobs"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "govhall serve did not answer within 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/t/360102/", timeout=10) as r:
            assert r.status == 200 and "东湖区" in r.read().decode()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/t/999999/", timeout=10)
            raise AssertionError("an unknown tenant must be 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=20)
