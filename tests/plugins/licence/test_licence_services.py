"""Licence services on a real database: identifiers, issue (signed, sealed PDF), states with history,
audit and events, optimistic versions, expiry, catalogue validation."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pypdf
import pytest
from licence_helpers import ACME, FOOD, ISSUER, PERSON, TYPE_CODE, issue, load, make_type
from sqlalchemy import select
from stdnum.iso7064 import mod_37_36

from core import audit, events, signing
from core.db import Scope
from core.errors import Conflict, Invalid, NotFound
from plugins.licence import catalogue, identifiers, services
from plugins.licence.document import ATTACHMENT, digest_of
from plugins.licence.issuing import Holder
from plugins.licence.models import Licence, LicenceChange
from plugins.licence.schemas import LicenceTypeIn


def _events(platform, prefix: str = "licence.") -> list[tuple[str, dict]]:
    with platform.db.session(Scope.system()) as s:
        rows = s.scalars(
            select(events.OutboxEvent)
            .where(events.OutboxEvent.type.like(f"{prefix}%"))
            .order_by(events.OutboxEvent.id)
        ).all()
        return [(e.type, dict(e.payload)) for e in rows]


def test_identifier_is_type_issuer_serial_version_and_a_mod_37_36_check():
    ident = identifiers.compose(TYPE_CODE, ISSUER, identifiers.serial_for(date(2026, 12, 1), 7), 1)
    assert ident.text.startswith(TYPE_CODE + ISSUER + "2026120100007" + "01")
    assert len(ident.text) == identifiers.LENGTH == 55
    assert mod_37_36.is_valid(ident.text) and ident.check == mod_37_36.calc_check_digit(ident.body)
    assert identifiers.parse(ident.text.lower()) == ident
    bad = ident.text[:-1] + ("A" if ident.text[-1] != "A" else "B")
    with pytest.raises(identifiers.BadIdentifier, match="check character"):
        identifiers.parse(bad)
    with pytest.raises(identifiers.BadIdentifier, match="55 characters"):
        identifiers.parse(ident.text[:-2])
    with pytest.raises(identifiers.BadIdentifier, match="digits and capital letters"):
        identifiers.parse(ident.text[:-1] + "*")


def test_issue_signs_the_data_and_seals_a_pdf_with_an_embedded_cjk_font_and_the_data(platform):
    make_type(platform)
    lic = load(platform, issue(platform).id)
    assert (
        lic.state == "valid"
        and lic.version_no == 1
        and lic.identifier == identifiers.parse(lic.identifier).text
    )
    assert lic.valid_until == lic.valid_from.replace(year=lic.valid_from.year + 5) - timedelta(days=1)
    data = json.loads(lic.canonical)
    assert data["holder"]["id_number"] == ACME and data["fields"][1]["value"] == "八一大道 1 号"
    with platform.db.session(Scope.system()) as s:
        key = signing.public_key(s, lic.key_id)
    assert key is not None and key.tenant_path == "360000/360100/360102"
    signing.verify(key.public_key, lic.canonical.encode(), lic.signature)
    reader = pypdf.PdfReader(io.BytesIO(lic.pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [
        f
        for f in fonts.values()
        if "/DescendantFonts" in f.get_object() or "/FontFile2" in f.get_object().get("/FontDescriptor", {})
    ]
    assert embedded, "the Chinese font is embedded"
    assert "食品经营许可证" in reader.pages[0].extract_text()
    manifest = json.loads(reader.attachments[ATTACHMENT][0])
    assert manifest["canonical"] == lic.canonical and manifest["key_id"] == lic.key_id
    assert manifest["appearance_digest"] == digest_of(lic.pdf)


def test_each_change_is_history_audit_and_an_event_and_versions_guard_it(platform):
    make_type(platform)
    lic = issue(platform)
    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s:
        services.act(s, tenant, lic.id, "suspend", version=lic.version, reason="整改期间暂停", actor="tests")
    with pytest.raises(Conflict) as stale, platform.db.transaction(tenant.scope) as s:
        services.act(s, tenant, lic.id, "revoke", version=lic.version, reason="过期版本", actor="tests")
    assert stale.value.code == "stale_version"
    with platform.db.transaction(tenant.scope) as s:
        cur = services.load(s, tenant, lic.id)
        services.act(s, tenant, lic.id, "reinstate", version=cur.version, reason="整改完成", actor="tests")
    with platform.db.transaction(tenant.scope) as s:
        cur = services.load(s, tenant, lic.id)
        new = services.change(
            s,
            platform,
            tenant,
            lic.id,
            version=cur.version,
            reason="经营场所变更",
            values={"premises": "八一大道 2 号"},
            holder_name=None,
            actor="tests",
        )
        new_id, new_ident = new.id, new.identifier
    old = load(platform, lic.id)
    assert old.state == "changed" and new_ident[:52] == old.identifier[:52] and new_ident[52:54] == "02"
    assert json.loads(load(platform, new_id).canonical)["previous"] == old.identifier
    with platform.db.transaction(tenant.scope) as s:
        cur = services.load(s, tenant, new_id)
        services.act(s, tenant, new_id, "revoke", version=cur.version, reason="吊销", actor="tests")
    kinds = [t for t, _ in _events(platform, "licence.licence.")]
    assert kinds == [
        "licence.licence.issued",
        "licence.licence.suspended",
        "licence.licence.reinstated",
        "licence.licence.changed",
        "licence.licence.issued",
        "licence.licence.revoked",
    ]
    with platform.db.session(Scope.system()) as s:
        actions = [
            e.action
            for e in s.scalars(
                select(audit.AuditEntry)
                .where(audit.AuditEntry.action.like("licence.licence.%"))
                .order_by(audit.AuditEntry.id)
            )
        ]
        history = s.scalars(
            select(LicenceChange.to_state)
            .where(LicenceChange.licence_id == lic.id)
            .order_by(LicenceChange.id)
        ).all()
    assert actions == [
        "licence.licence.issue",
        "licence.licence.suspend",
        "licence.licence.reinstate",
        "licence.licence.change",
        "licence.licence.issue",
        "licence.licence.revoke",
    ]
    assert history == ["valid", "suspended", "valid", "changed"]
    with pytest.raises(Conflict, match="cannot be"), platform.db.transaction(tenant.scope) as s:
        cur = services.load(s, tenant, new_id)
        services.act(s, tenant, new_id, "suspend", version=cur.version, reason="x", actor="tests")


def test_another_tenants_licence_is_not_found_like_a_missing_one(platform):
    make_type(platform)
    lic = issue(platform)
    other = platform.directory.get("360103")
    with platform.db.session(other.scope) as s, pytest.raises(NotFound) as a:
        services.load(s, other, lic.id)
    with platform.db.session(other.scope) as s, pytest.raises(NotFound) as b:
        services.load(s, other, 999_999)
    assert (a.value.message_en, a.value.code) == (b.value.message_en, b.value.code)


def test_expiry_scan_marks_licences_past_their_last_day_once(platform):
    make_type(platform)
    lic = issue(platform, on=date(2020, 1, 2))
    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s:
        assert services.expire_due(s, tenant, date(2025, 1, 2)) == 1
    with platform.db.transaction(tenant.scope) as s:
        assert services.expire_due(s, tenant, date(2025, 1, 3)) == 0
    assert load(platform, lic.id).state == "expired"
    assert [t for t, _ in _events(platform, "licence.licence.expired")] == ["licence.licence.expired"]


def test_serials_count_per_issuer_and_day(platform):
    make_type(platform)
    a, b = issue(platform, on=date(2026, 12, 1)), issue(platform, on=date(2026, 12, 1))
    c = issue(platform, on=date(2026, 12, 2))
    assert [x.serial for x in (a, b, c)] == ["2026120100001", "2026120100002", "2026120200001"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"code": "11100000MB0143028X001"}, "code"),  # wrong credit-code check character
        ({"code": TYPE_CODE[:-3] + "0A1"}, "code"),
        ({"issuer_code": "11360102MB1234567Q"}, "issuer_code"),
    ],
)
def test_bad_licence_types_are_refused_naming_the_field_and_nothing_is_stored(platform, override, field):
    tenant = platform.directory.get("360102")
    with pytest.raises(Invalid) as exc, platform.db.transaction(tenant.scope) as s:
        catalogue.create_type(s, tenant, LicenceTypeIn.model_validate({**FOOD, **override}), actor="tests")
    assert field in exc.value.fields and exc.value.message_zh != exc.value.message_en
    with platform.db.session(tenant.scope) as s:
        assert catalogue.types(s) == []


def test_holder_must_fit_the_type_and_have_a_valid_number(platform):
    make_type(platform)
    with pytest.raises(Invalid, match="legal person only"):
        issue(platform, holder=Holder("person", PERSON, "张三"))
    with pytest.raises(Invalid, match="not valid"):
        issue(platform, holder=Holder("legal", ACME[:-1] + "0" if ACME[-1] != "0" else ACME[:-1] + "1", "x"))
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(Licence)).all() == []


def test_demo_data_loads_twice_without_duplicates(platform):
    from core.demo import load_demo

    load_demo(platform, echo=lambda _m: None)
    load_demo(platform, echo=lambda _m: None)
    from plugins.licence.models import ItemLicenceType, LicenceType

    with platform.db.session(Scope.system()) as s:
        types = s.scalars(select(LicenceType.tenant_path)).all()
        maps = s.scalars(select(ItemLicenceType.item_code)).all()
        nanchang = s.scalars(select(Licence).where(Licence.tenant_path == "360000/360100")).all()
    assert sorted(p.rsplit("/", 1)[-1] for p in types) == ["360100", "360100", "360102", "360102"]
    assert sorted(maps) == ["DH-GT-002", "DH-SP-001", "NC-WJW-003", "NC-ZJJ-001"]
    assert sorted(x.state for x in nanchang) == ["revoked", "valid"]
    events.dispatch_pending(platform)  # the demo's approved Donghu applications issue through events
    with platform.db.session(Scope.system()) as s:
        donghu = s.scalars(select(Licence.type_name).where(Licence.tenant_path.like("%/360102"))).all()
    assert sorted(donghu) == ["个体工商户营业执照", "食品经营许可证"]
