"""The message log: every exchange appended to a hash chain and signed, verifiable offline.

One chain per provider tenant (X-Road keeps one log per security server; here the provider's hall plays
that part). An entry's ``body`` is canonical JSON (sorted keys, no spaces, UTF-8) naming the time, the
provider, the consumer and its subsystem, the resource, the digests of the request and of the response,
the result and the HTTP status — and the bodies themselves only where the resource says so (privacy).
``hash = sha256(prev_hash + "\\n" + body)`` and ``signature = Ed25519(hash)`` with the tenant's current key
(core.api.signing; keys are rotatable and old keys stay verifiable). Appending locks the chain's head row
(``SELECT ... FOR UPDATE`` on PostgreSQL), so the chain stays linear under concurrency.

An export carries the entries, the hash before the first one, and the public keys that signed them, so
``verify_export`` needs no database: a tampered body, hash, link or signature names the first bad entry.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import signing, utcnow
from plugins.exchange.models import LogEntry, LogHead

FORMAT = "govhall-exchange-log/1"
_SIGNERS: dict[tuple[int, str], tuple[Any, float]] = {}
SIGNER_TTL = 30.0  # seconds a decrypted signer is reused (a rotation is seen within this time)


class LogUnavailable(RuntimeError):
    """The log could not be written: the exchange must be refused (fail closed)."""


def genesis(tenant_path: str) -> str:
    return hashlib.sha256(f"govhall exchange log {tenant_path}".encode()).hexdigest()


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def chain_hash(prev: str, body: str) -> str:
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def digest(data: Any) -> str:
    raw = data if isinstance(data, bytes) else canonical(data).encode()
    return hashlib.sha256(raw).hexdigest()


def _signer(session: Session, platform: Any, tenant_path: str) -> Any:
    key = (id(platform), tenant_path)
    hit = _SIGNERS.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[1] < SIGNER_TTL:
        return hit[0]
    signer = signing.signer_for(session, platform.settings["secret_key"], tenant_path)
    _SIGNERS[key] = (signer, now)
    return signer


def _claim(session: Session, tenant: Any) -> tuple[int, str]:
    """The next sequence number of ``tenant``'s chain and the hash it links to. A write first, so the head
    row is locked (SQLite: the write lock is taken) before its hash is read: two appends can never read
    the same head."""
    heads = cast(Table, LogHead.__table__)
    claim = (
        update(heads)
        .where(heads.c.tenant_id == tenant.id)
        .values(last_seq=heads.c.last_seq + 1)
        .returning(heads.c.last_seq, heads.c.last_hash)
    )
    row = session.execute(claim).first()
    if row is None:
        try:
            with session.begin_nested():
                session.execute(
                    insert(heads).values(
                        tenant_id=tenant.id,
                        tenant_path=tenant.path,
                        last_seq=0,
                        last_hash=genesis(tenant.path),
                    )
                )
        except IntegrityError:  # another transaction created it first
            pass
        row = session.execute(claim).one()
    return int(row[0]), str(row[1])


def append(
    session: Session,
    platform: Any,
    tenant: Any,
    *,
    resource: str,
    consumer: str,
    result: str,
    status: int,
    facts: dict[str, Any],
) -> LogEntry:
    """Append one signed entry to ``tenant``'s chain in the caller's transaction: claim the head (one
    statement), then write the entry and move the head (one statement on PostgreSQL). Returns the entry
    as written, detached (its ``id`` is not read back)."""
    seq, prev = _claim(session, tenant)
    at = utcnow()
    body = canonical(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "provider_tenant": tenant.path,
            "resource": resource,
            "consumer": consumer,
            "result": result,
            "status": status,
            **facts,
        }
    )
    h = chain_hash(prev, body)
    signer = _signer(session, platform, tenant.path)
    values = {
        "tenant_id": tenant.id,
        "tenant_path": tenant.path,
        "seq": seq,
        "at": at,
        "resource_code": resource,
        "consumer_identifier": consumer,
        "result": result,
        "status": status,
        "body": body,
        "prev_hash": prev,
        "hash": h,
        "signature": signer.sign_b64(h.encode()),
        "key_id": signer.key_id,
    }
    heads = cast(Table, LogHead.__table__)
    move_head = update(heads).where(heads.c.tenant_id == tenant.id).values(last_hash=h)
    write = insert(cast(Table, LogEntry.__table__)).values(**values)
    if session.get_bind().dialect.name == "postgresql":
        # the entry and the head's new hash in one round trip: a data-modifying WITH runs exactly once
        session.execute(move_head.add_cte(write.cte("entry")))
    else:
        session.execute(write)
        session.execute(move_head)
    return LogEntry(**values)  # what was written (not attached to the session)


def record(platform: Any, tenant: Any, **kw: Any) -> LogEntry:
    """Append in a transaction of its own; LogUnavailable when that fails (the caller refuses)."""
    try:
        with platform.db.transaction(tenant.scope) as s:
            return append(s, platform, tenant, **kw)
    except Exception as exc:  # any failure to write the log refuses the exchange
        raise LogUnavailable(str(exc)) from exc


def entries_stmt(tenant: Any, *, first: int = 1) -> Select[Any]:
    """This tenant's log from ``first`` on, for core.api's ``paginate`` (key: seq)."""
    return select(LogEntry).where(LogEntry.tenant_id == tenant.id, LogEntry.seq >= first)


def entries(
    session: Session,
    tenant: Any,
    *,
    first: int = 1,
    last: int | None = None,
    resource: str = "",
    limit: int = 1000,
) -> list[LogEntry]:
    stmt = select(LogEntry).where(LogEntry.tenant_id == tenant.id, LogEntry.seq >= first)
    if last is not None:
        stmt = stmt.where(LogEntry.seq <= last)
    if resource:
        stmt = stmt.where(LogEntry.resource_code == resource)
    return list(session.scalars(stmt.order_by(LogEntry.seq).limit(limit)))


def export(
    session: Session, tenant: Any, *, first: int = 1, last: int | None = None, limit: int = 100_000
) -> dict[str, Any]:
    """A contiguous slice of the chain with everything needed to verify it offline."""
    rows = entries(session, tenant, first=first, last=last, limit=limit)
    key_ids = sorted({r.key_id for r in rows})
    keys = [k.as_dict() for k in (signing.public_key(session, kid) for kid in key_ids) if k is not None]
    return {
        "format": FORMAT,
        "tenant_path": tenant.path,
        "genesis": genesis(tenant.path),
        "first_seq": rows[0].seq if rows else first,
        "entries": [
            {
                "seq": r.seq,
                "body": r.body,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
                "signature": r.signature,
                "key_id": r.key_id,
            }
            for r in rows
        ],
        "keys": keys,
    }


@dataclass
class Verdict:
    ok: bool
    checked: int = 0
    first_bad: int | None = None  # seq of the first entry that fails
    problem_zh: str = ""
    problem_en: str = ""
    notes: list[str] = field(default_factory=list)


def verify_export(doc: Any, trusted_keys: list[dict[str, Any]] | None = None) -> Verdict:
    """Check an export with no database: format, links, hashes, signatures, sequence. With
    ``trusted_keys`` (published separately) the export's own keys are not trusted."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("entries"), list):
        return Verdict(False, problem_zh="不是交换日志导出文件", problem_en=f"not a {FORMAT} export")
    keys = {
        k.get("key_id"): k
        for k in (trusted_keys if trusted_keys is not None else doc.get("keys") or [])
        if isinstance(k, dict)
    }
    prev: str | None = None
    expected_seq: int | None = None
    for n, e in enumerate(doc["entries"]):
        seq = e.get("seq") if isinstance(e, dict) else None

        def bad(zh: str, en: str, seq: Any = seq, n: int = n) -> Verdict:
            return Verdict(
                False,
                checked=n,
                first_bad=seq if isinstance(seq, int) else None,
                problem_zh=f"第 {seq} 条：{zh}",
                problem_en=f"entry {seq}: {en}",
            )

        if not isinstance(e, dict) or not isinstance(seq, int):
            return bad("格式错误", "malformed entry")
        body, h = str(e.get("body", "")), str(e.get("hash", ""))
        try:
            parsed = json.loads(body)
        except ValueError:
            return bad("内容不是有效 JSON", "body is not JSON")
        if (
            not isinstance(parsed, dict)
            or parsed.get("seq") != seq
            or parsed.get("provider_tenant") != doc.get("tenant_path")
        ):
            return bad("内容与序号或租户不符", "body does not match its seq or tenant")
        if expected_seq is not None and seq != expected_seq:
            return bad("序号不连续", f"sequence broken (expected {expected_seq})")
        if seq == 1 and e.get("prev_hash") != doc.get("genesis"):
            return bad("链首哈希不符", "first entry does not start from the chain's genesis")
        if prev is not None and e.get("prev_hash") != prev:
            return bad("与上一条的哈希链接断开", "link to the previous entry is broken")
        if chain_hash(str(e.get("prev_hash", "")), body) != h:
            return bad("内容被修改（哈希不符）", "hash does not match the body (altered)")
        key = keys.get(e.get("key_id"))
        if key is None:
            return bad("签名密钥未知", f"unknown signing key {e.get('key_id')!r}")
        try:
            signing.verify(str(key.get("public_key", "")), h.encode(), str(e.get("signature", "")))
        except signing.SignatureError:
            return bad("签名验证不通过", "signature does not verify")
        prev, expected_seq = h, seq + 1
    return Verdict(True, checked=len(doc["entries"]))
