""" "Use my licence" in place of an upload: the answer to approval's material-sources hook, called with
the arguments docs/hooks.md gives it (offered only valid licences of the declared type that the applicant
holds, in any hall; read again at submission: a revoked licence cannot be used)."""

from __future__ import annotations

import pytest
from licence_helpers import ACME, TYPE_CODE, issue, make_type

from core.errors import DomainError
from plugins.licence import plugin, services

MATERIAL = {
    "code": "licence",
    "name": "食品经营许可证",
    "required": True,
    "reuse": [{"via": "licence", "licence_type": TYPE_CODE}, {"via": "exchange", "resource": "x"}],
}
ITEM = {
    "code": "DH-SP-009",
    "name": "食品经营许可变更",
    "version_no": 1,
    "department_code": "xzspj",
    "department_name": "东湖区行政审批局",
}


def offered(platform, applicant, material=MATERIAL, hall="360100"):
    tenant = platform.directory.get(hall)
    with platform.db.session(tenant.scope) as s:
        return plugin.govhall_approval_material_sources(
            platform=platform, tenant=tenant, item=ITEM, material=material, applicant=applicant, session=s
        )


def test_the_holders_valid_licence_is_offered_in_another_hall_and_fetched(platform):
    make_type(platform)
    lic = issue(platform)
    applicant = {"account_id": 1, "kind": "legal", "id_number": ACME, "name": "江西测试企业有限公司"}
    [source] = offered(platform, applicant)
    assert source["key"] == f"licence:{lic.identifier}" and "食品经营许可证" in source["title_zh"]
    tenant = platform.directory.get("360100")
    with platform.db.transaction(tenant.scope) as s:
        got = source["fetch"](session=s, platform=platform)
    assert got["data"]["licence_number"] == lic.identifier and got["data"]["premises"] == "八一大道 1 号"
    assert got["labels"]["premises"] == ["经营场所", "Premises"]
    assert got["provenance"]["reference"] == lic.identifier and got["provenance"]["verified"] is True
    assert got["provenance"]["href"].endswith(f"/t/360102/licence/v/{lic.identifier}")


def test_nothing_is_offered_to_others_or_for_other_types(platform):
    make_type(platform)
    issue(platform)
    other = {"account_id": 2, "kind": "legal", "id_number": "91360100MA00000010", "name": "别家"}
    assert offered(platform, other) == []
    applicant = {"account_id": 1, "kind": "legal", "id_number": ACME, "name": "x"}
    assert (
        offered(platform, applicant, {**MATERIAL, "reuse": [{"via": "licence", "licence_type": "X"}]}) == []
    )
    assert offered(platform, applicant, {**MATERIAL, "reuse": [{"via": "exchange"}]}) == []


def test_a_licence_revoked_after_it_was_offered_cannot_be_used(platform):
    make_type(platform)
    lic = issue(platform)
    applicant = {"account_id": 1, "kind": "legal", "id_number": ACME, "name": "x"}
    [source] = offered(platform, applicant)
    issuer = platform.directory.get("360102")
    with platform.db.transaction(issuer.scope) as s:
        services.act(s, issuer, lic.id, "revoke", version=lic.version, reason="撤销", actor="tests")
    with pytest.raises(DomainError, match="revoked"), platform.db.transaction(issuer.scope) as s:
        source["fetch"](session=s, platform=platform)
    assert offered(platform, applicant) == []
