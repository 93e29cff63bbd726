"""The holder's side: "my licences" in every hall of the network, and one-time use codes for clerks.

"My licences" is, like approval's "my applications", the one cross-tenant read a citizen makes: it runs in
the subtree scope of each root of the tree (never the system scope), and its only other predicate is the
holder identity of the logged-in account (kind + ID number or credit code, read from the account, never
from the request). A licence belongs to its holder, not to the account that applied.

Use codes: the holder grants a code for one licence; a clerk in any hall of the same network redeems it
once, before it expires, and may then view that licence for the same number of hours. Only the code's
SHA-256 is stored. Redemption is one conditional UPDATE, so two clerks racing with one code get one win.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.api import Conflict, Invalid, NotFound, Scope, account_id_number, audit, events
from core.api import now as clock_now
from plugins.licence.identifiers import clean
from plugins.licence.models import Licence, UseCode
from plugins.licence.services import event_payload

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over a counter
CODE_LEN = 12
MAX_OPEN_CODES = 20


@dataclass(frozen=True)
class HolderId:
    kind: str
    id_number: str


def holder_of(session: Session, actor: Any) -> HolderId | None:
    """The logged-in person's holder identity (from their account), or None for staff and guests."""
    if actor.kind not in ("person", "legal") or actor.account_id is None:
        return None
    id_number = account_id_number(session, actor.account_id)
    if not id_number:
        return None
    return HolderId(actor.kind, id_number.strip().upper())


def network_scope(tenant: Any) -> Scope:
    root = tenant.path.split("/")[0]
    return Scope(path=root, tenant_id=None, subtree=True)


def my_licences(platform: Any, holder: HolderId, limit: int = 200) -> list[dict[str, Any]]:
    """Every licence version of the holder in every hall, current versions first, newest first."""
    rows: list[dict[str, Any]] = []
    for root in platform.directory.roots():
        with platform.db.session(Scope.below(root.id, root.path)) as s:
            for lic in s.scalars(
                select(Licence)
                .where(Licence.holder_id_number == holder.id_number, Licence.holder_kind == holder.kind)
                .order_by(Licence.id.desc())
                .limit(limit)
            ):
                rows.append({"licence": lic, "tenant": platform.directory.by_id.get(lic.tenant_id)})
    rows.sort(key=lambda r: (r["licence"].state == "changed", -r["licence"].id))
    return rows[:limit]


def own(session: Session, tenant: Any, holder: HolderId | None, licence_id: int) -> Licence:
    """One of the holder's licences at this tenant; anyone else's looks like it does not exist."""
    lic = session.get(Licence, licence_id)
    if (
        lic is None
        or holder is None
        or lic.tenant_id != tenant.id
        or lic.holder_kind != holder.kind
        or lic.holder_id_number != holder.id_number
    ):
        raise NotFound("No such licence here", "本级没有该电子证照", code="unknown_licence")
    return lic


def _hash(code: str) -> str:
    return hashlib.sha256(clean(code).encode()).hexdigest()


def _now() -> datetime:
    return clock_now()


def grant(
    session: Session, tenant: Any, lic: Licence, *, purpose: str, hours: int, actor: str
) -> tuple[str, UseCode]:
    """A new one-time code for ``lic`` (shown once), valid for ``hours``."""
    if lic.state not in ("valid", "suspended"):
        raise Conflict(
            "Only a current licence can be shared", "只有现行有效的证照才能授权他人查看", code="not_current"
        )
    open_codes = (
        session.scalar(
            select(func.count())
            .select_from(UseCode)
            .where(UseCode.licence_id == lic.id, UseCode.redeemed_at.is_(None), UseCode.expires_at > _now())
        )
        or 0
    )
    if open_codes >= MAX_OPEN_CODES:
        raise Conflict(
            f"At most {MAX_OPEN_CODES} unused codes per licence",
            f"每份证照最多 {MAX_OPEN_CODES} 个未使用的用证码",
            code="too_many_codes",
        )
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
    row = UseCode(
        tenant_id=lic.tenant_id,
        tenant_path=lic.tenant_path,
        licence_id=lic.id,
        code_hash=_hash(code),
        purpose=purpose.strip()[:200],
        granted_by=actor,
        expires_at=_now() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="licence.use_code.grant",
        tenant=tenant,
        target=f"licence:{lic.identifier}",
        details={"use_code_id": row.id, "purpose": row.purpose, "hours": hours},
    )
    events.publish(
        session,
        tenant=tenant,
        type="licence.use_code.granted",
        payload=event_payload(lic, use_code_id=row.id, purpose=row.purpose),
        actor=actor,
    )
    return "-".join(code[i : i + 4] for i in range(0, CODE_LEN, 4)), row


def redeem(platform: Any, clerk_tenant: Any, code: str, *, actor: Any, hours: int) -> int:
    """Redeem ``code`` for a clerk at ``clerk_tenant``; returns the use code's id. One use, in time."""
    raw = clean(code)
    if len(raw) != CODE_LEN or any(ch not in ALPHABET for ch in raw):
        raise Invalid(
            "A use code has 12 letters and digits (e.g. ABCD-EFGH-JKLM)",
            "用证码应为 12 位字母和数字（如 ABCD-EFGH-JKLM）",
            fields={"code": "malformed"},
        )
    with platform.db.session(network_scope(clerk_tenant)) as s:
        row = s.scalar(select(UseCode).where(UseCode.code_hash == _hash(raw)))
        found = (row.id, row.tenant_id) if row is not None else None
    if found is None:
        raise NotFound("No such use code", "用证码不存在", code="unknown_code", fields={"code": "unknown"})
    owner = platform.directory.by_id[found[1]]
    now = _now()
    with platform.db.transaction(owner.scope) as s:
        won = s.execute(
            update(UseCode)
            .where(UseCode.id == found[0], UseCode.redeemed_at.is_(None), UseCode.expires_at > now)
            .values(
                redeemed_at=now,
                redeemed_by=actor.label,
                redeemed_account_id=actor.account_id,
                redeemed_tenant_id=clerk_tenant.id,
                view_until=now + timedelta(hours=hours),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if not won:
            raise Conflict(
                "This use code was already used or has expired",
                "该用证码已被使用或已过期",
                code="code_spent",
                fields={"code": "used or expired"},
            )
        row = s.get(UseCode, found[0])
        lic = s.get(Licence, row.licence_id) if row is not None else None
        assert row is not None and lic is not None
        audit.record(
            s,
            actor=actor.label,
            action="licence.use_code.redeem",
            tenant=owner,
            target=f"licence:{lic.identifier}",
            details={"use_code_id": row.id, "clerk_tenant": clerk_tenant.code},
        )
        events.publish(
            s,
            tenant=owner,
            type="licence.use_code.redeemed",
            payload=event_payload(lic, use_code_id=row.id, clerk_tenant=clerk_tenant.code),
            actor=actor.label,
        )
    return found[0]


def shared(platform: Any, clerk_tenant: Any, actor: Any, grant_id: int) -> tuple[UseCode, Licence]:
    """A licence the clerk redeemed here, while their view lasts; otherwise 404."""
    with platform.db.session(network_scope(clerk_tenant)) as s:
        row = s.get(UseCode, grant_id)
        if (
            row is None
            or row.redeemed_account_id != actor.account_id
            or row.redeemed_tenant_id != clerk_tenant.id
            or row.view_until is None
            or row.view_until <= _now()
        ):
            raise NotFound(
                "No such shared licence (or the view has ended)",
                "没有该授权查看的证照（或查看期限已过）",
                code="unknown_grant",
            )
        lic = s.get(Licence, row.licence_id)
        assert lic is not None
        s.expunge_all()
        return row, lic


def codes_of(session: Session, licence_id: int) -> list[UseCode]:
    return list(
        session.scalars(
            select(UseCode).where(UseCode.licence_id == licence_id).order_by(UseCode.id.desc()).limit(50)
        )
    )


