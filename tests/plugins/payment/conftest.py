"""Fixtures of the payment tests: the simulated gateway served over real HTTP on a free port (a separate
ASGI app, as a province's gateway is a separate system), and a platform pointed at it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from payment_helpers import FEE

from core.db import Scope
from plugins.payment import services
from plugins.payment.simgateway import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def gateway() -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(create_app(base), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the simulated gateway did not start"
    yield base
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def paying(platform: Any, gateway: str) -> Any:
    """The platform with the province's halls pointed at the gateway and Donghu charging DH-GA-003."""
    from core.tenancy import service

    root = platform.directory.get("360000")
    with platform.db.transaction(Scope.system()) as s:
        service.set_tenant_setting(s, root, "payment.gateway_url", gateway, actor="tests")
    platform.refresh(force=True)
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        services.set_fee(s, donghu, actor="tests", **FEE)
    return platform
