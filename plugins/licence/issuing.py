"""Issuing one licence version: number it, sign its data with the tenant's key, draw and seal its PDF.

``build`` is shared by the first issue and by a change (a new version). Signing goes through
core.signing (one Ed25519 key per tenant, rotatable; the key id travels with the licence so old versions
still verify after a rotation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from core.api import Invalid, signing
from plugins.licence import document
from plugins.licence.identifiers import Identifier, compose, serial_for
from plugins.licence.models import HOLDER_KINDS, LicenceType, SerialCounter


@dataclass(frozen=True)
class Holder:
    kind: str  # person | legal
    id_number: str
    name: str


def check_holder(holder: Holder, licence_type: LicenceType) -> Holder:
    """A holder the type may be issued to, with a valid ID number (GB 11643) or credit code (GB 32100)."""
    if holder.kind not in HOLDER_KINDS:
        raise Invalid(
            "The holder must be a natural or legal person",
            "持证主体应为自然人或法人",
            fields={"holder_kind": "person or legal"},
        )
    if licence_type.holder_kind not in ("both", holder.kind):
        zh, en = HOLDER_KINDS[licence_type.holder_kind]
        raise Invalid(
            f"{licence_type.name} is issued to a {en.lower()} only",
            f"“{licence_type.name}”只颁发给{zh}",
            fields={"holder_kind": f"{licence_type.holder_kind} only"},
        )
    number = holder.id_number.strip().upper()
    valid = uscc.is_valid(number) if holder.kind == "legal" else ric.is_valid(number)
    if not valid:
        raise Invalid(
            "The holder's ID number or credit code is not valid",
            "持证主体证件号码无效",
            fields={"holder_id_number": "invalid"},
        )
    if not holder.name.strip():
        raise Invalid(
            "The holder's name is required", "请填写持证主体名称", fields={"holder_name": "required"}
        )
    return Holder(holder.kind, number, holder.name.strip()[:200])


def next_serial(session: Session, tenant: Any, issuer_code: str, day: date) -> str:
    """The next serial of ``issuer_code`` on ``day``: a counter row bumped under its row lock."""
    key = day.strftime("%Y%m%d")
    c = SerialCounter
    for _ in range(2):
        bumped = session.execute(
            update(c)
            .where(c.tenant_id == tenant.id, c.issuer_code == issuer_code, c.day == key)
            .values(seq=c.seq + 1)
            .returning(c.seq)
            .execution_options(synchronize_session=False)
        ).scalar()
        if bumped is not None:
            return serial_for(day, int(bumped))
        try:
            with session.begin_nested():  # a concurrent first issue of the day may insert the row first
                session.add(
                    c(tenant_id=tenant.id, tenant_path=tenant.path, issuer_code=issuer_code, day=key, seq=1)
                )
            return serial_for(day, 1)
        except IntegrityError:
            continue
    raise RuntimeError("serial counter could not be claimed")


@dataclass(frozen=True)
class Built:
    identifier: Identifier
    data: dict[str, Any]
    canonical: str
    signature: str
    key_id: str
    pdf: bytes

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def verify_url(platform: Any, tenant: Any, identifier: str) -> str:
    base = str(platform.settings["licence.public_base_url"]).rstrip("/")
    return f"{base}/t/{tenant.code}/licence/v/{identifier}"


def licence_data(
    platform: Any,
    tenant: Any,
    lt: LicenceType,
    ident: Identifier,
    holder: Holder,
    fields: list[dict[str, str]],
    *,
    valid_from: date,
    valid_until: date | None,
    previous: str | None,
) -> dict[str, Any]:
    """What is signed and drawn (GB/T 36903 metadata: type, number, holder, issuer, dates, fields)."""
    return {
        "format": document.FORMAT,
        "identifier": ident.text,
        "type": {"code": lt.code, "name": lt.name, "name_en": lt.name_en},
        "serial": ident.serial,
        "version_no": ident.version_no,
        "previous": previous,
        "holder": {"kind": holder.kind, "id_number": holder.id_number, "name": holder.name},
        "issuer": {
            "code": lt.issuer_code,
            "name": lt.department_name,
            "department": lt.department_code,
            "tenant": tenant.path,
            "tenant_name": tenant.name,
        },
        "fields": fields,
        "issued_on": ident.issued_on.isoformat(),
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "verify_url": verify_url(platform, tenant, ident.text),
    }


def build(
    session: Session,
    platform: Any,
    tenant: Any,
    lt: LicenceType,
    ident: Identifier,
    holder: Holder,
    fields: list[dict[str, str]],
    *,
    valid_from: date,
    valid_until: date | None,
    previous: str | None = None,
) -> Built:
    data = licence_data(
        platform,
        tenant,
        lt,
        ident,
        holder,
        fields,
        valid_from=valid_from,
        valid_until=valid_until,
        previous=previous,
    )
    text = document.canonical(data)
    signer = signing.signer_for(session, platform.settings["secret_key"], tenant.path)
    signature = signer.sign_b64(text.encode())
    page = document.render(data, key_id=signer.key_id, font_path=platform.settings["licence.font_path"])
    digest = document.digest_of(page)
    public = signing.public_key(session, signer.key_id)
    assert public is not None  # signer_for just returned it
    manifest = {
        "format": document.FORMAT,
        "identifier": ident.text,
        "canonical": text,
        "signature": signature,
        "key_id": signer.key_id,
        "public_key": public.public_key,
        "algorithm": public.algorithm,
        "key_owner": tenant.path,
        "appearance_digest": digest,
        "appearance_signature": signer.sign_b64(document.appearance_message(ident.text, digest)),
    }
    return Built(ident, data, text, signature, signer.key_id, document.seal(page, manifest))


def first_identifier(session: Session, tenant: Any, lt: LicenceType, day: date) -> Identifier:
    return compose(lt.code, lt.issuer_code, next_serial(session, tenant, lt.issuer_code, day), 1)


def type_of(session: Session, type_id: int) -> LicenceType:
    found = session.scalar(select(LicenceType).where(LicenceType.id == type_id))
    assert found is not None
    return found
