"""Shared parts of bench/bench_import.py and bench/bench_submit_during_import.py: a fresh database, the
`govhall` command of a chosen checkout (``--code``: compare this branch with another one in one run on
one machine), and the import files both benches load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
CREDIT_HEADER = ("subject_kind,subject_code,subject_name,title,decision_number,severity,source_department,"
                 "decision_date")
ITEM_HEADER = "code,name,item_type,entrance,department_code,statutory_days,promised_days,keywords,materials"


def uscc(n: int) -> str:
    """A valid unified social credit code (GB 32100-2015 check character) for the n-th test company."""
    from stdnum.cn import uscc as check

    body = f"91360102MA{n:07d}"
    return body + check.calc_check_digit(body)


def credit_csv(path: Path, rows: int, prefix: str = "B") -> Path:
    lines = [CREDIT_HEADER]
    lines += [f"legal,{uscc(i)},测试企业{i}有限公司,无证经营,罚字{prefix}{i},general,市场监督管理局,"
              "2026-10-01" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def items_csv(path: Path, rows: int, prefix: str = "BX") -> Path:
    materials = json.dumps([{"code": "form", "name": "申请表", "allowed_types": "pdf"},
                            {"code": "id", "name": "申请人身份证明"}], ensure_ascii=False).replace('"', '""')
    lines = [ITEM_HEADER]
    lines += [f'{prefix}-{i:05d},食品经营许可第{i}号,licence,legal,scjgj,20,10,餐饮 小卖部 食品,"{materials}"'
              for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextmanager
def fresh_database(server_url: str, tmp: Path) -> Iterator[str]:
    """A new SQLite file, or a new database on the PostgreSQL server of ``server_url`` (dropped after)."""
    if not server_url:
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    from core.settings import normalise_db_url

    admin = create_engine(normalise_db_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"govhall_bench_import_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class Govhall:
    """Runs ``python -m core.cli`` of one checkout against one database."""

    def __init__(self, code: Path, url: str, data_dir: Path) -> None:
        self.code = code.resolve()
        self.env = {**os.environ, "GOVHALL_DATABASE_URL": url, "GOVHALL_DATA_DIR": str(data_dir),
                    "PYTHONPATH": str(self.code), "PYTHONDONTWRITEBYTECODE": "1",
                    "GOVHALL_LOG_FORMAT": "json"}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "core.cli", *args], env=self.env, cwd=self.code,
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            raise SystemExit(f"govhall {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "core.cli", *args], env=self.env, cwd=self.code,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def prepare(self, demo: bool = False) -> None:
        """Migrate and load the Jiangxi tree (and, with ``demo``, the demo data and accounts)."""
        if demo:
            script = ("from core.platform import Platform\nfrom core.demo import load_demo\n"
                      "load_demo(Platform.start(), echo=lambda m: None)\n")
            result = subprocess.run([sys.executable, "-c", script], env=self.env, cwd=self.code,
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"demo load failed:\n{result.stderr[-3000:]}")
            return
        self.run("migrate")
        self.run("tenants", "apply", "tenants/jiangxi.toml", "-q")


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="govhall-bench-import-"))
