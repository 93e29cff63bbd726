"""Sending systems and their credentials, what the operators' pages list (batches, errors, record counts),
and the entry points of each channel (bulk API, exchange delivery) into the feed mechanism (ingest.py)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Conflict, Department, DomainError, Invalid, NotFound, audit
from plugins.feeds.ingest import Feed, ingest, stream_named
from plugins.feeds.models import Batch, RecordError, Source
from plugins.feeds.streams import STREAMS

MAX_API_RECORDS = 2000  # and the body stays under the 1 MB limit of every JSON body


class Refused(DomainError):
    """The sending system is known but may not send this (HTTP 403)."""

    status = 403


class Unauthenticated(Exception):
    """The sending system is unknown here or its secret is wrong (HTTP 401)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def departments(s: Session, tenant: Any) -> list[str]:
    return list(s.scalars(select(Department.code).where(Department.tenant_id == tenant.id)))


def create_source(
    s: Session,
    tenant: Any,
    *,
    department: str,
    title: str,
    streams: list[str],
    actor: str,
    client_id: str = "",
    secret: str = "",
) -> tuple[Source, str]:
    """Register a sending system; the secret is returned here only (the table keeps its hash)."""
    if department not in departments(s, tenant):
        raise Invalid(
            "No such department here",
            "本级没有该部门",
            code="unknown_department",
            fields={"department": "unknown"},
        )
    for name in streams:
        stream_named(name)
    client_id = client_id or f"feed-{secrets.token_hex(8)}"
    secret = secret or secrets.token_urlsafe(32)
    row = Source(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        client_id=client_id,
        secret_hash=hash_secret(secret),
        department_code=department,
        title=title,
        streams=sorted(set(streams)),
        created_by=actor,
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="feeds.source.created",
        tenant=tenant,
        target=f"feeds.source:{row.id}",
        details={"client_id": client_id, "department": department, "streams": row.streams},
    )
    return row, secret


def revoke_source(s: Session, tenant: Any, source_id: int, version: int, *, actor: str) -> Source:
    row = s.get(Source, source_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such sending system here", "本级没有该报送系统", code="unknown_source")
    if row.version != version:
        raise Conflict(
            "Someone changed this first; reload and try again",
            "已被他人修改，请刷新后重试",
            code="version_conflict",
        )
    if row.state == "revoked":
        raise Conflict("The credential is revoked already", "该凭证已撤销", code="already_revoked")
    row.state = "revoked"
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="feeds.source.revoked",
        tenant=tenant,
        target=f"feeds.source:{row.id}",
        details={"client_id": row.client_id},
    )
    return row


def sources(s: Session, tenant: Any) -> list[Source]:
    return list(s.scalars(select(Source).where(Source.tenant_id == tenant.id).order_by(Source.id)))


def authenticate(s: Session, tenant: Any, client_id: str, secret: str, stream: str) -> Source:
    """The sending system of ``tenant`` with this credential, allowed to send ``stream``."""
    row = s.scalars(
        select(Source).where(Source.tenant_id == tenant.id, Source.client_id == client_id)
    ).first()
    if row is None or not secret or not hmac.compare_digest(row.secret_hash, hash_secret(secret)):
        raise Unauthenticated()
    if row.state != "active":
        raise Refused("This system's credential is revoked", "该报送系统凭证已撤销", code="revoked_source")
    if stream not in row.streams:
        raise Refused(
            "This system may not send this stream",
            "该报送系统无权报送此数据流",
            code="stream_not_allowed",
            fields={"stream": stream},
        )
    return row


def receive(
    s: Session,
    platform: Any,
    tenant: Any,
    stream: str,
    records: list[Any],
    *,
    channel: str,
    sender: str,
    department: str,
) -> Feed:
    """One batch from the bulk API or the exchange, in the caller's transaction."""
    stream_named(stream)
    if len(records) > MAX_API_RECORDS:
        raise Invalid(
            f"At most {MAX_API_RECORDS} records per batch",
            f"每批最多 {MAX_API_RECORDS} 条记录",
            code="batch_too_large",
            fields={"records": f"at most {MAX_API_RECORDS}"},
        )
    return ingest(
        s,
        platform,
        tenant,
        stream,
        records,
        channel=channel,
        sender=sender,
        department=department,
        departments=departments(s, tenant),
    )


def batches(
    s: Session, tenant: Any, *, stream: str = "", before: int | None = None, limit: int = 50
) -> list[Batch]:
    stmt = select(Batch).where(Batch.tenant_id == tenant.id)
    if stream:
        stmt = stmt.where(Batch.stream == stream)
    if before:
        stmt = stmt.where(Batch.id < before)
    return list(s.scalars(stmt.order_by(Batch.id.desc()).limit(limit)))


def batch(s: Session, tenant: Any, batch_id: int) -> Batch:
    row = s.get(Batch, batch_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such batch here", "本级没有该批次", code="unknown_batch")
    return row


def errors(s: Session, tenant: Any, batch_id: int, limit: int = 500) -> list[RecordError]:
    return list(
        s.scalars(
            select(RecordError)
            .where(RecordError.tenant_id == tenant.id, RecordError.batch_id == batch_id)
            .order_by(RecordError.row, RecordError.id)
            .limit(limit)
        )
    )


def record_counts(s: Session, tenant: Any, names: Iterable[str] = STREAMS) -> dict[str, int]:
    """Records held per stream at ``tenant`` (one count per table)."""
    out = {}
    for name in names:
        t = STREAMS[name].table
        out[name] = int(s.scalar(select(func.count()).select_from(t).where(t.c.tenant_id == tenant.id)) or 0)
    return out
