"""Electronic licences: issue rate (sign + render + store) and the verification page's latency.

    python bench/bench_licence.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                  [--licences 300] [--requests 1000]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi
tree and one licence type at Donghu, then measures in one process:

* issuing N licences, one transaction each (serial, sign, render the PDF with its embedded font and QR,
  seal it, insert, history, audit, event) — and, as baselines in the same run, rendering + sealing alone
  (no database) and signing alone;
* the public verification page ``GET /t/360102/licence/v/<number>`` through the ASGI app (Starlette's
  TestClient: the whole middleware chain, no network), p50/p95 over M requests for random licences,
  against ``GET /healthz`` through the same client as the baseline.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from starlette.testclient import TestClient

from core import signing
from core.db import Scope, migrate
from core.demo import JIANGXI
from core.logging import configure_logging
from core.platform import Platform
from core.settings import load_settings
from core.tenancy import loader

TYPE = {
    "code": "11100000MB0143028R001",
    "name": "食品经营许可证",
    "name_en": "Food business licence",
    "department_code": "xzspj",
    "department_name": "东湖区行政审批局",
    "issuer_code": "11360102MB1234567P",
    "holder_kind": "legal",
    "validity_months": 60,
    "fields": [
        {"name": "operator", "label": "经营者名称", "source": "applicant_name"},
        {"name": "premises", "label": "经营场所", "source": "form.shop_name"},
    ],
}


def fresh_url(server: str | None, tmp: Path) -> str:
    if not server:
        return f"sqlite:///{tmp}/bench.db"
    name = f"govhall_bench_licence_{uuid.uuid4().hex[:6]}"
    engine = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def drop(server: str, url: str) -> None:
    engine = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    engine.dispose()


def setup(url: str, tmp: Path) -> Platform:
    settings = load_settings(
        overrides={"database_url": url, "data_dir": str(tmp), "env": "test", "log_level": "warning"}
    )
    platform = Platform.start(settings)
    configure_logging(platform.settings)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    tree, lines, path = loader.load_file(JIANGXI)
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    with platform.db.transaction(Scope.system()) as s:
        loader.apply(s, tree, platform.directory, actor="bench")
    platform.refresh(force=True)
    return platform


def holder(n: int) -> Any:
    from stdnum.cn import uscc

    from plugins.licence.issuing import Holder

    body = f"91360100MA{n:07d}"
    return Holder("legal", body + uscc.calc_check_digit(body), f"基准测试企业{n}号")


def issue_many(platform: Platform, n: int) -> tuple[float, list[str]]:
    from plugins.licence import catalogue, services
    from plugins.licence.schemas import LicenceTypeIn

    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s:
        catalogue.create_type(s, tenant, LicenceTypeIn.model_validate(TYPE), actor="bench")
    idents = []
    services.issue  # noqa: B018 - imported before timing
    start = time.perf_counter()
    for i in range(n):
        with platform.db.transaction(tenant.scope) as s:
            lt = catalogue.type_by_code(s, tenant, TYPE["code"])
            h = holder(i)
            lic = services.issue(
                s, platform, tenant, lt, h, {"operator": h.name, "premises": f"八一大道{i}号"}, actor="bench"
            )
            idents.append(lic.identifier)
        if (i + 1) % 50 == 0:
            print(f"  issued {i + 1}/{n}", flush=True)
    return time.perf_counter() - start, idents


def render_only(platform: Platform, n: int, identifier: str) -> float:
    """The CPU part alone: draw + digest + seal, no database."""
    import json

    from plugins.licence import document

    with platform.db.session(Scope.system()) as s:
        from sqlalchemy import select

        from plugins.licence.models import Licence

        data = json.loads(s.scalar(select(Licence.canonical).where(Licence.identifier == identifier)) or "{}")
    start = time.perf_counter()
    for _ in range(n):
        page = document.render(data, key_id="bench")
        document.seal(page, {"format": document.FORMAT, "digest": document.digest_of(page)})
    return time.perf_counter() - start


def sign_only(platform: Platform, n: int) -> float:
    with platform.db.session(Scope.system()) as s:
        signer = signing.signer_for(s, platform.settings["secret_key"], "360000/360100/360102")
    payload = b"x" * 1200
    start = time.perf_counter()
    for _ in range(n):
        signer.sign_b64(payload)
    return time.perf_counter() - start


def latencies(client: TestClient, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        t = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return out


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--licences", type=int, default=300)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = fresh_url(args.database_url, tmp)
    try:
        platform = setup(url, tmp)
        backend = "PostgreSQL" if platform.db.is_postgres else "SQLite"
        print(f"licence bench on {backend}: {args.licences} licences, {args.requests} requests")
        secs, idents = issue_many(platform, args.licences)
        render_secs = render_only(platform, args.licences, idents[0])
        sign_secs = sign_only(platform, args.licences * 10)
        issue_rate, render_rate = args.licences / secs, args.licences / render_secs
        each = secs * 1000 / args.licences
        print(f"issue (sign + render + store), licences/s: {issue_rate:.1f}  ({each:.1f} ms each)")
        each = render_secs * 1000 / args.licences
        print(f"  baseline render + seal alone, /s: {render_rate:.1f}  ({each:.1f} ms each)")
        print(f"  baseline Ed25519 sign alone, /s: {args.licences * 10 / sign_secs:.0f}")
        print(f"  issue / render-alone time: {render_rate / issue_rate:.2f}x")
        from core.app import create_app

        with TestClient(create_app(platform=platform)) as client:
            client.get("/healthz")
            client.get(f"/t/360102/licence/v/{idents[0]}")
            rnd = random.Random(7)
            paths = [f"/t/360102/licence/v/{rnd.choice(idents)}" for _ in range(args.requests)]
            page = latencies(client, paths)
            base = latencies(client, ["/healthz"] * args.requests)
        print(
            f"verification page ms: p50 {pct(page, 50):.2f}  p95 {pct(page, 95):.2f}  p99 {pct(page, 99):.2f}"
        )
        print(f"  baseline /healthz ms: p50 {pct(base, 50):.2f}  p95 {pct(base, 95):.2f}")
        print(f"  page p95 / healthz p95: {pct(page, 95) / pct(base, 95):.1f}x")
        platform.close()
    finally:
        if args.database_url:
            drop(args.database_url, url)


if __name__ == "__main__":
    main()
