"""Schema-driven fuzzing of the whole API (schemathesis) against the ASGI app on the demo data of the
suite's database, with a logged-in token that holds every role: any 5xx, any response outside its
documented schema, status or media type fails. Bounded: a fixed number of examples per operation and
derandomised, so CI runs are repeatable and the whole fuzz stays around a minute per database.

Marked ``fuzz``: ``pytest -m "not fuzz"`` skips it locally."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from core.app import create_app
from tests.routes import DEMO_TENANT, make_superuser, token_for

EXAMPLES = 6  # valid cases per operation (half as many invalid ones); ~60 operations
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def fuzz_env(demo_platforms: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with demo_platforms(tmp_path_factory.mktemp("fuzz")) as platform:
        app = create_app(platform=platform)
        with TestClient(app):  # run the lifespan once, as a server would
            staff = make_superuser(platform, "fuzzer")
            yield {"app": app, "headers": {"authorization": f"Bearer {token_for(platform, staff)}"}}


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], examples: int) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters={"tenant_code": DEMO_TENANT})

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    def run(case: Any) -> None:
        case.call_and_validate(headers=dict(headers), checks=CHECKS)

    run()


@pytest.mark.fuzz
@pytest.mark.slow
def test_the_api_keeps_its_contract_under_fuzzing(fuzz_env: dict[str, Any]) -> None:
    """Every operation of /api/openapi.json: valid inputs (positive) and invalid ones (negative, which
    must be refused with a documented 4xx, never a 5xx). Failures are collected, then reported."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_env["app"])
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in ((GenerationMode.POSITIVE, EXAMPLES), (GenerationMode.NEGATIVE, EXAMPLES // 2)):
            try:
                _fuzz(operation, mode, fuzz_env["headers"], examples)
            except Unsatisfiable:
                continue  # nothing to make invalid (an operation without parameters or body)
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, not just the first
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")
    assert operations >= 40
    assert not failures, "\n\n".join(failures)
