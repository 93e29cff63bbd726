"""The demo: catalogues in Nanchang and Donghu, requests in each state, a demo subsystem that can call the
gateway, and logs that verify."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from plugins.exchange import demo, msglog
from plugins.exchange.models import AccessRequest


def test_demo_data_and_the_demo_credential_calls_the_gateway(demo_platform):
    donghu, nanchang = demo_platform.directory.get("360102"), demo_platform.directory.get("360100")
    with demo_platform.db.session(donghu.scope) as s:
        states = sorted(r.state for r in s.scalars(select(AccessRequest)))
        assert states == ["approved", "pending"]
        assert msglog.verify_export(msglog.export(s, donghu)).ok
    with demo_platform.db.session(nanchang.scope) as s:
        assert msglog.verify_export(msglog.export(s, nanchang)).ok
    from core.app import create_app

    with TestClient(create_app(platform=demo_platform)) as c:
        r = c.get("/api/t/360100/exchange/x/credit.report", params={"subject_code": "91360100MA35123453"},
                  headers={"X-Exchange-Client": demo.DEMO_CLIENT, "X-Exchange-Secret": demo.DEMO_SECRET})
        assert r.status_code == 200, r.text
        assert set(r.json()["data"]) == {"subject_code", "level", "level_title"}

