"""``govhall plugins new NAME``: the scaffold installs with pip and its own generated test passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import cli as root

REPO = Path(__file__).resolve().parents[2]


def _new(*args: str):
    return CliRunner().invoke(root, ["plugins", "new", *args], catch_exceptions=False)


@pytest.mark.slow
def test_scaffolded_plugin_installs_and_its_test_passes(tmp_path):
    r = _new("parking_lot", "--dir", str(tmp_path), "--title", "停车服务")
    assert r.exit_code == 0, r.output
    dist = tmp_path / "govhall-parking-lot"
    for rel in ("pyproject.toml", "govhall_parking_lot/plugin.py", "govhall_parking_lot/models.py",
                "govhall_parking_lot/migrations/versions/parking_lot_0001.py",
                "govhall_parking_lot/templates/parking_lot/index.html", "tests/test_parking_lot.py"):
        assert (dist / rel).is_file(), rel
    assert 'parking_lot = "govhall_parking_lot.plugin"' in (dist / "pyproject.toml").read_text()
    target = tmp_path / "site"
    build = tmp_path / "build-src"
    shutil.copytree(dist, build, ignore=shutil.ignore_patterns("tests"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(build)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), str(REPO)])
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                         cwd=dist, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


def test_bad_name_and_existing_directory_are_refused(tmp_path):
    bad = _new("Bad-Name", "--dir", str(tmp_path))
    assert bad.exit_code == 2 and "NAME" in bad.output
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "govhall-taken").mkdir()
    taken = _new("taken", "--dir", str(tmp_path))
    assert taken.exit_code == 1 and "already exists" in taken.output
    assert list((tmp_path / "govhall-taken").iterdir()) == []


def test_the_readme_is_a_newcomers_walk_through(tmp_path):
    assert _new("parking", "--dir", str(tmp_path)).exit_code == 0
    dist = tmp_path / "govhall-parking"
    readme = (dist / "README.md").read_text(encoding="utf-8")
    assert "Parking (Parking)" not in readme and "Parking: a govhall plugin" in readme
    for step in ("pip install -e '.[test]'", "govhall migrate", "govhall tenants apply tenants.toml",
                 "govhall plugins enable parking --tenant 360102", "pytest"):
        assert step in readme, step
    assert "360102" in (dist / "tenants.toml").read_text(encoding="utf-8")  # the tree the steps need
    assert 'test = ["pytest' in (dist / "pyproject.toml").read_text(encoding="utf-8")
    titled = tmp_path / "t"
    assert _new("parking", "--dir", str(titled), "--title", "停车服务").exit_code == 0
    assert "停车服务 (Parking): a govhall plugin" in (titled / "govhall-parking" / "README.md").read_text(
        encoding="utf-8")
