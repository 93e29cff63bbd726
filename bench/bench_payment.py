"""Payment order creation: rate and latency, against baselines measured in the same run.

    python bench/bench_payment.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                  [--orders 500]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi
tree and the DH-GA-003 fee at Donghu, then measures in one process, through the ASGI app (Starlette's
TestClient: the whole middleware chain with bearer-token authentication, no network):

* ``POST /api/t/360102/payment/orders`` (validate, fee look-up, double-payment check, insert, history,
  audit, event, the payer's message) for N payers, p50/p95 and orders/s;
* the same request repeated with its idempotency key (answered from the first order);
* as the baseline, an authenticated read through the same client: ``GET /api/t/360102/payment/my``
  (the payer has no order yet).

Creating an order needs no gateway (the gateway is contacted when the payer starts paying).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_licence import drop, fresh_url, pct, setup  # noqa: E402
from core.db import Scope  # noqa: E402


def tokens(platform: object, n: int) -> list[str]:
    from core.identity.service import create_account
    from core.identity.sessions import create_token
    from tests.factories import resident_id

    out = []
    with platform.db.transaction(Scope.system()) as s:  # type: ignore[attr-defined]
        for i in range(n):
            acc = create_account(
                s,
                kind="person",
                username=f"payer{i}",
                password="Govhall2026bench",
                display_name=f"缴费人{i}",
                id_number=resident_id(100000 + i),
            )
            _row, raw = create_token(s, acc, name="bench", scopes=["*"], days=1, known_permissions=set())
            out.append(raw)
    return out


def timed(client: TestClient, method: str, path: str, token: str, json: object = None) -> float:
    t = time.perf_counter()
    r = client.request(method, path, json=json, headers={"Authorization": f"Bearer {token}"})
    ms = (time.perf_counter() - t) * 1000
    assert r.status_code in (200, 201), (path, r.status_code, r.text[:200])
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = fresh_url(args.database_url, tmp)
    try:
        platform = setup(url, tmp)
        from plugins.payment import services

        donghu = platform.directory.get("360102")
        with platform.db.transaction(donghu.scope) as s:
            services.set_fee(
                s,
                donghu,
                item_code="DH-GA-003",
                item_name="居民身份证换领",
                amount_cents=2000,
                legal_basis="《居民身份证工本费》收费标准：20元/证",
                stage="on_demand",
                actor="bench",
            )
        keys = tokens(platform, args.orders)
        backend = "PostgreSQL" if platform.db.is_postgres else "SQLite"
        print(f"payment bench on {backend}: {args.orders} orders")
        from core.app import create_app

        api = "/api/t/360102/payment"
        with TestClient(create_app(platform=platform)) as client:
            timed(client, "GET", f"{api}/my", keys[0])
            base, create, repeat = [], [], []
            started = time.perf_counter()
            for i, key in enumerate(keys):
                base.append(timed(client, "GET", f"{api}/my", key))
                body = {"item_code": "DH-GA-003", "amount_cents": 2000, "idempotency_key": f"bench-{i}"}
                create.append(timed(client, "POST", f"{api}/orders", key, body))
                repeat.append(timed(client, "POST", f"{api}/orders", key, body))
            wall = time.perf_counter() - started
        create_rate = args.orders / (sum(create) / 1000)
        p50, p95 = pct(create, 50), pct(create, 95)
        print(f"create order ms: p50 {p50:.2f}  p95 {p95:.2f}  ({create_rate:.0f}/s serial)")
        print(f"  repeat with the same key ms: p50 {pct(repeat, 50):.2f}  p95 {pct(repeat, 95):.2f}")
        print(f"  baseline authenticated GET my (empty) ms: p50 {pct(base, 50):.2f}  p95 {pct(base, 95):.2f}")
        print(
            f"  create p95 / baseline p95: {pct(create, 95) / pct(base, 95):.1f}x;  "
            f"repeat p95 / baseline p95: {pct(repeat, 95) / pct(base, 95):.1f}x  (loop {wall:.1f} s)"
        )
        platform.close()
    finally:
        if args.database_url:
            drop(args.database_url, url)


if __name__ == "__main__":
    main()
