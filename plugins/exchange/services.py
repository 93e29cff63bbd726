"""Members, the catalogue, subsystems and their credentials, access requests and grants.

A member is a department of a tenant (``GOV:<tenant path>:<department code>``). Resources, requests and
grants belong to the provider's tenant; a consumer's rows are found across the tree by the ``consumer_*``
columns, in the subtree scope of each root of the tree (never the system scope).

The provider answers a conditional request within ``ANSWER_DAYS`` working days (core legal clock), with
reasons for a refusal. Every act (answer, grant, revoke, credential issued or revoked) is audited
(core.api.audit) and published as an ``exchange.<entity>.<verb>`` event in the caller's transaction.
Optimistic versions: an act on a stale copy answers 409 and of two concurrent acts one wins.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from core.api import (
    Conflict,
    Department,
    Invalid,
    NotFound,
    PageParams,
    Scope,
    add_working_days,
    audit,
    departments_of,
    encode_cursor,
    paginate,
    publish,
    today,
    utcnow,
)
from plugins.exchange.models import (
    CYCLES,
    SHARING,
    AccessRequest,
    Grant,
    Member,
    Resource,
    ResourceToken,
    SystemCredential,
)
from plugins.exchange.search import contains, query_tokens, token_rows, words

ANSWER_DAYS = 10  # working days the provider has to answer a conditional request
INSTANCE = "GOV"


# --- members -------------------------------------------------------------------------------------------


def member_identifier(tenant_path: str, department_code: str) -> str:
    return f"{INSTANCE}:{tenant_path}:{department_code}"


def parse_identifier(identifier: str) -> tuple[str, str]:
    """(tenant path, department code) of a member identifier; Invalid if it is not one."""
    parts = identifier.split(":")
    if len(parts) != 3 or parts[0] != INSTANCE or not parts[1] or not parts[2]:
        raise Invalid("Not a member identifier", "不是有效的成员标识", fields={"member": "GOV:<path>:<dept>"})
    return parts[1], parts[2]


def departments(session: Session, tenant: Any) -> list[Any]:
    return list(
        session.scalars(select(Department).where(Department.tenant_id == tenant.id).order_by(Department.id))
    )


def member(session: Session, tenant: Any, department_code: str) -> Member:
    """The member for a department of ``tenant`` (created on first use); NotFound for no such department."""
    found = session.scalars(
        select(Member).where(Member.tenant_id == tenant.id, Member.department_code == department_code)
    ).first()
    if found is not None:
        return found
    dept = session.scalars(
        select(Department).where(Department.tenant_id == tenant.id, Department.code == department_code)
    ).first()
    if dept is None:
        raise NotFound(
            f"{tenant.code} has no department {department_code!r}",
            f"{tenant.name}没有代码为 {department_code} 的部门",
            code="unknown_department",
            fields={"department": "unknown"},
        )
    row = Member(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        identifier=member_identifier(tenant.path, dept.code),
        department_code=dept.code,
        name=dept.name,
        name_en=dept.name_en or "",
    )
    session.add(row)
    session.flush()
    return row


def members(session: Session, tenant: Any) -> list[Member]:
    """Every department of ``tenant`` as a member (creating the missing ones)."""
    return [member(session, tenant, d.code) for d in departments(session, tenant)]


# --- the catalogue -------------------------------------------------------------------------------------


def _search_text(r: Resource) -> str:
    labels = " ".join(
        f"{f.get('name', '')} {f.get('label', '')} {f.get('label_en', '')}" for f in r.fields or []
    )
    return " ".join((r.code, r.name, r.name_en, r.description, r.provider_name, labels)).lower()[:4000]


def _fields(names: Any, labels: Any) -> list[dict[str, str]]:
    out = []
    for name in names:
        zh, en = (labels or {}).get(name, (name, name))
        out.append({"name": name, "label": zh, "label_en": en})
    return out


def sync_plugin_resources(session: Session, platform: Any, tenant: Any) -> list[Resource]:
    """Bring the catalogue in line with what the plugins enabled at ``tenant`` offer through
    ``govhall_data_resources``: new ones added, changed ones updated, vanished ones deactivated."""
    offered = [
        r for batch in platform.hooks(tenant).govhall_data_resources(tenant=tenant) for r in batch or []
    ]
    existing = {
        r.code: r
        for r in session.scalars(
            select(Resource).where(Resource.tenant_id == tenant.id, Resource.source == "plugin")
        )
    }
    depts = departments(session, tenant)
    out: list[Resource] = []
    changed: list[Resource] = []
    for d in offered:
        code = f"{d.plugin}.{d.code}"
        codes = [x.code for x in depts]
        dept_code = d.department_code if d.department_code in codes else (codes[0] if codes else "")
        if not dept_code:
            continue
        m = member(session, tenant, dept_code)
        values = {
            "name": d.title_zh,
            "name_en": d.title_en,
            "description": d.description_zh,
            "provider_department": m.department_code,
            "provider_identifier": m.identifier,
            "provider_name": m.name,
            "fields": _fields(d.fields, d.field_labels),
            "update_cycle": d.update_cycle if d.update_cycle in CYCLES else "realtime",
            "sharing": d.sharing if d.sharing in SHARING else "conditional",
            "legal_basis": d.legal_basis,
            "plugin": d.plugin,
            "source": "plugin",
            "active": True,
        }
        row = existing.pop(code, None)
        if row is None:
            row = Resource(tenant_id=tenant.id, tenant_path=tenant.path, code=code, **values)
            session.add(row)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
        text = _search_text(row)
        if row.id is None or text != row.search_text:
            row.search_text = text
            changed.append(row)
        row.last_updated_at = utcnow()  # served live from the plugin's own tables: current when synced
        out.append(row)
    for gone in existing.values():
        gone.active = False
    session.flush()
    index_resources(session, changed)
    return out


def register_http(session: Session, tenant: Any, data: Any, *, actor: str) -> Resource:
    """A department registers an external HTTP service as a resource (``data``: schemas.HttpResourceIn)."""
    m = member(session, tenant, data.department)
    if session.scalars(
        select(Resource.id).where(Resource.tenant_id == tenant.id, Resource.code == data.code)
    ).first():
        raise Conflict(
            "A resource with this code exists here",
            "本级已有该代码的数据资源",
            code="duplicate_code",
            fields={"code": "taken"},
        )
    row = Resource(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        description=data.description,
        provider_department=m.department_code,
        provider_identifier=m.identifier,
        provider_name=m.name,
        fields=[f.model_dump() for f in data.fields],
        update_cycle=data.update_cycle,
        sharing=data.sharing,
        legal_basis=data.legal_basis,
        format=data.format,
        source="http",
        url=data.url,
        method=data.method,
        openapi=data.openapi,
        log_bodies=data.log_bodies,
        last_updated_at=utcnow(),
    )
    row.search_text = _search_text(row)
    session.add(row)
    session.flush()
    index_resources(session, [row])
    audit.record(
        session,
        actor=actor,
        action="exchange.resource.registered",
        tenant=tenant,
        target=f"exchange.resource:{row.id}",
        details={"code": row.code, "url": row.url},
    )
    return row


def resource_by_code(session: Session, tenant: Any, code: str) -> Resource:
    row = session.scalars(
        select(Resource).where(
            Resource.tenant_id == tenant.id, Resource.code == code, Resource.active.is_(True)
        )
    ).first()
    if row is None:
        raise NotFound("No such resource here", "本级没有该数据资源", code="unknown_resource")
    return row


def touch(session: Session, resource: Resource) -> None:
    """The provider says the resource's data was updated (the update-cycle rule reads this)."""
    resource.last_updated_at = utcnow()


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def index_resources(session: Session, rows: list[Resource]) -> None:
    """Rewrite the search tokens of ``rows`` from their ``search_text`` (flushed rows; call wherever
    ``search_text`` changes — plugins/exchange/search.py)."""
    if not rows:
        return
    session.execute(delete(ResourceToken).where(ResourceToken.resource_id.in_([r.id for r in rows])))
    toks = list(token_rows(rows))
    if toks:
        session.execute(insert(ResourceToken), toks)


def search_stmt(q: str = "", *, sharing: str = "") -> Select[Any]:
    """Active resources in the session's scope whose search text (name, code, description, provider,
    field labels) holds every word of ``q``: one row per resource, for core.api's ``paginate`` (key: the
    id). Joined to the token index once per token of the query (in the scope's paths), then re-checked
    word by word, so the results are those of ``LIKE '%word%'`` alone (plugins/exchange/search.py).
    """
    stmt = select(Resource).where(Resource.active.is_(True))
    for tok in query_tokens(q):  # one join per token: (resource, token) is unique, so no row repeats
        t = aliased(ResourceToken)
        stmt = stmt.join(t, and_(t.resource_id == Resource.id, t.token == tok))
    for word in words(q):
        stmt = stmt.where(contains(Resource.search_text, word))
    if sharing:
        stmt = stmt.where(Resource.sharing == sharing)
    return stmt


def search(
    session: Session, q: str = "", *, sharing: str = "", after: int | None = None, limit: int = 20
) -> list[Resource]:
    """:func:`search_stmt`, newest id first, from below ``after``."""
    stmt = search_stmt(q, sharing=sharing)
    if after is not None:
        stmt = stmt.where(Resource.id < after)
    return list(session.scalars(stmt.order_by(Resource.id.desc()).limit(limit)))


def network_roots(platform: Any) -> Iterator[Scope]:
    for root in platform.directory.roots():
        yield Scope.below(root.id, root.path)


# --- subsystems and credentials ------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_system(
    session: Session, tenant: Any, department: str, subsystem: str, title: str, *, actor: str
) -> tuple[SystemCredential, str]:
    """Register a member's subsystem and issue its credential; the secret is returned once, only its
    SHA-256 is kept (a random 256-bit secret needs no slow hash)."""
    m = member(session, tenant, department)
    if session.scalars(
        select(SystemCredential.id).where(
            SystemCredential.member_identifier == m.identifier, SystemCredential.subsystem == subsystem
        )
    ).first():
        raise Conflict(
            "This subsystem is registered already",
            "该子系统已注册",
            code="duplicate_subsystem",
            fields={"subsystem": "taken"},
        )
    secret = secrets.token_urlsafe(32)
    row = SystemCredential(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        member_identifier=m.identifier,
        subsystem=subsystem,
        title=title,
        client_id="x-" + secrets.token_hex(12),
        secret_hash=hash_secret(secret),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="exchange.system.created",
        tenant=tenant,
        target=f"exchange.system:{row.id}",
        details={"member": m.identifier, "subsystem": subsystem},
    )
    return row, secret


def revoke_system(
    session: Session, tenant: Any, system_id: int, version: int, *, actor: str
) -> SystemCredential:
    row = session.get(SystemCredential, system_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such subsystem here", "本级没有该子系统", code="unknown_system")
    _check_version(row, version)
    if row.state == "revoked":
        raise Conflict("The credential is revoked already", "该凭证已撤销", code="already_revoked")
    row.state, row.revoked_at = "revoked", utcnow()
    _flush(session)
    forget_credential(row.client_id)  # other processes: within CREDENTIAL_TTL
    audit.record(
        session,
        actor=actor,
        action="exchange.system.revoked",
        tenant=tenant,
        target=f"exchange.system:{row.id}",
        details={"client_id": row.client_id},
    )
    return row


# The gateway's credential look-ups, per process: client id -> (secret hash, member, subsystem, state, read at
# [monotonic]). A hit saves a session at the root's scope (two round trips) per call. An entry is trusted
# for CREDENTIAL_TTL seconds, so a revocation made by another process reaches this one within a second; a
# revocation made here drops the entry at once. Unknown ids are never cached (a new credential works at once).
CREDENTIAL_TTL = 1.0
_now = time.monotonic
_CREDENTIALS: dict[tuple[int, str], tuple[str, str, str, str, float]] = {}


def resolve_system(platform: Any, client_id: str, secret: str) -> tuple[str, str, str] | None:
    """(member identifier, subsystem, state) of the system whose credential this is, or None when the
    id is unknown or the secret wrong; revoked credentials are returned (the caller answers 403)."""
    if not client_id or not secret:
        return None
    key = (id(platform), client_id)
    hit = _CREDENTIALS.get(key)
    if hit is None or not 0 <= _now() - hit[4] < CREDENTIAL_TTL:
        hit = None
        for scope in network_roots(platform):
            with platform.db.session(scope) as s:
                row = s.execute(
                    select(
                        SystemCredential.secret_hash,
                        SystemCredential.member_identifier,
                        SystemCredential.subsystem,
                        SystemCredential.state,
                    ).where(SystemCredential.client_id == client_id)
                ).first()
            if row is not None:
                hit = (row[0], row[1], row[2], row[3], _now())
                _CREDENTIALS[key] = hit
                break
        if hit is None:
            _CREDENTIALS.pop(key, None)
            return None
    if not hmac.compare_digest(hit[0], hash_secret(secret)):
        return None
    return hit[1], hit[2], hit[3]


def forget_credential(client_id: str) -> None:
    """Drop ``client_id`` from this process's look-ups (on revocation)."""
    for key in [k for k in _CREDENTIALS if k[1] == client_id]:
        _CREDENTIALS.pop(key, None)


def authenticate(session: Session, client_id: str, secret: str) -> SystemCredential | None:
    """The credential for ``client_id`` if ``secret`` matches (revoked ones included: the caller tells
    401 from 403). ``session`` must see every tenant's credentials (a root's subtree scope)."""
    row = session.scalars(select(SystemCredential).where(SystemCredential.client_id == client_id)).first()
    if row is None or not hmac.compare_digest(row.secret_hash, hash_secret(secret)):
        return None
    return row


def systems(session: Session, tenant: Any) -> list[SystemCredential]:
    return list(
        session.scalars(
            select(SystemCredential)
            .where(SystemCredential.tenant_id == tenant.id)
            .order_by(SystemCredential.id)
        )
    )


# --- requests and grants -------------------------------------------------------------------------------


def _check_version(row: Any, version: int) -> None:
    if row.version != version:
        raise Conflict(
            "Someone changed this first; reload and try again",
            "该记录已被他人修改，请刷新后重试",
            code="stale_version",
            fields={"version": "stale"},
        )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "Someone changed this first; reload and try again",
            "该记录已被他人修改，请刷新后重试",
            code="stale_version",
            fields={"version": "stale"},
        ) from exc


def _check_fields(resource: Resource, fields: list[str], key: str = "fields") -> list[str]:
    known = [f["name"] for f in resource.fields or []]
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise Invalid(
            f"Not fields of this resource: {', '.join(unknown)}",
            f"该数据资源没有这些字段：{'、'.join(unknown)}",
            fields={key: "unknown field"},
        )
    if not fields:
        raise Invalid("Name at least one field", "请至少选择一个字段", fields={key: "required"})
    return [f for f in known if f in fields]  # catalogue order, no duplicates


def request_access(
    session: Session,
    platform: Any,
    provider: Any,
    consumer: Any,
    *,
    resource_code: str,
    department: str,
    purpose: str,
    fields: list[str],
    actor: str,
    member_of: frozenset[str] | None = None,
) -> AccessRequest:
    """A consumer department asks for a conditional resource. ``session`` is scoped to the provider's
    tenant; the consumer's department is checked at its own tenant. ``member_of``: the departments the
    requesting staff member belongs to at the consumer's tenant (``requester_departments``) — they ask
    only for one of their own; None: not limited to departments (no membership recorded)."""
    if member_of is not None and department not in member_of:
        raise Invalid(
            f"You can ask only for a department you belong to ({', '.join(sorted(member_of))})",
            "只能以本人所在部门的名义申请",
            code="not_your_department",
            fields={"department": "not one of your departments"},
        )
    res = resource_by_code(session, provider, resource_code)
    if res.sharing == "none":
        raise Conflict("This resource is not shared", "该数据资源不予共享", code="not_shared")
    if res.sharing == "unconditional":
        raise Conflict(
            "This resource needs no request: register a subsystem and call it",
            "该数据资源无条件共享，无需申请，注册子系统后即可调用",
            code="unconditional",
        )
    cols = _check_fields(res, fields)
    with_consumer = _consumer(session, platform, consumer, department)
    if session.scalars(
        select(AccessRequest.id).where(
            AccessRequest.resource_id == res.id,
            AccessRequest.consumer_identifier == with_consumer[0],
            AccessRequest.state == "pending",
        )
    ).first():
        raise Conflict(
            "Your department has a pending request for this resource",
            "本部门对该数据资源已有待答复的申请",
            code="duplicate_request",
        )
    day = today(platform)
    row = AccessRequest(
        tenant_id=provider.id,
        tenant_path=provider.path,
        resource_id=res.id,
        resource_code=res.code,
        resource_name=res.name,
        consumer_tenant_id=consumer.id,
        consumer_identifier=with_consumer[0],
        consumer_name=with_consumer[1],
        purpose=purpose,
        fields=cols,
        submitted_on=day,
        due_on=add_working_days(day, ANSWER_DAYS),
        requested_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="exchange.request.submitted",
        tenant=provider,
        target=f"exchange.request:{row.id}",
        details={"resource": res.code, "consumer": row.consumer_identifier, "fields": cols},
    )
    publish(
        session,
        tenant=provider,
        type="exchange.request.submitted",
        actor=actor,
        payload={
            "request_id": row.id,
            "resource": res.code,
            "consumer": row.consumer_identifier,
            "due_on": row.due_on.isoformat(),
        },
    )
    return row


def requester_departments(platform: Any, actor: Any, consumer: Any) -> frozenset[str] | None:
    """Codes of the departments a staff member belongs to at the consumer's tenant (read there, in a
    short session of its own); None when they belong to none there (not limited to a department, as in
    approval) or the actor is not a staff account."""
    if getattr(actor, "account_id", None) is None or getattr(actor, "kind", "") != "staff":
        return None
    with platform.db.session(consumer.scope) as s:
        codes = frozenset(d.code for d in departments_of(s, actor.account_id, consumer.id))
    return codes or None


def _consumer(session: Session, platform: Any, consumer: Any, department: str) -> tuple[str, str]:
    """(identifier, name) of the consumer department (departments are not tenant-scoped rows)."""
    dept = session.scalars(
        select(Department).where(Department.tenant_id == consumer.id, Department.code == department)
    ).first()
    if dept is None:
        raise NotFound(
            f"{consumer.code} has no department {department!r}",
            f"{consumer.name}没有代码为 {department} 的部门",
            code="unknown_department",
            fields={"department": "unknown"},
        )
    return member_identifier(consumer.path, dept.code), f"{consumer.name} · {dept.name}"


def load_request(session: Session, tenant: Any, request_id: int) -> AccessRequest:
    row = session.get(AccessRequest, request_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such request here", "本级没有该共享申请", code="unknown_request")
    return row


def answer(
    session: Session,
    platform: Any,
    tenant: Any,
    request_id: int,
    *,
    decision: str,
    version: int,
    fields: list[str] | None = None,
    expires_on: date | None = None,
    reason: str = "",
    actor: str,
) -> AccessRequest:
    """The provider approves (all requested fields), narrows (fewer fields) or refuses (with reasons)."""
    row = load_request(session, tenant, request_id)
    _check_version(row, version)
    if row.state != "pending":
        raise Conflict("This request has been answered", "该申请已答复", code="answered")
    day = today(platform)
    if decision == "refuse":
        if not reason.strip():
            raise Invalid(
                "Give the reasons for a refusal", "不予同意须说明理由", fields={"reason": "required"}
            )
        row.state = "refused"
    else:
        if expires_on is None or expires_on <= day:
            raise Invalid(
                "The grant must end after today",
                "授权截止日期须晚于今天",
                fields={"expires_on": "after today"},
            )
        res = session.get(Resource, row.resource_id)
        if res is None:
            raise NotFound("The resource is gone", "该数据资源已不存在", code="unknown_resource")
        cols = _check_fields(res, fields if fields is not None else list(row.fields))
        extra = [f for f in cols if f not in row.fields]
        if extra:
            raise Invalid(
                "Grant only fields that were requested",
                "只能授权申请的字段",
                fields={"fields": "not requested"},
            )
        if decision == "narrow" and len(cols) >= len(row.fields):
            raise Invalid(
                "Narrowing leaves out at least one field",
                "部分同意须至少去掉一个字段",
                fields={"fields": "narrow"},
            )
        if decision == "narrow" and not reason.strip():
            raise Invalid("Say why fields were left out", "部分同意须说明理由", fields={"reason": "required"})
        grant = Grant(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            resource_id=res.id,
            resource_code=res.code,
            resource_name=res.name,
            consumer_tenant_id=row.consumer_tenant_id,
            consumer_identifier=row.consumer_identifier,
            consumer_name=row.consumer_name,
            fields=cols,
            purpose=row.purpose,
            granted_on=day,
            expires_on=expires_on,
            request_id=row.id,
            granted_by=actor,
        )
        session.add(grant)
        session.flush()
        row.grant_id = grant.id
        row.state = "approved" if decision == "approve" else "narrowed"
    row.answered_on, row.answered_by, row.answer_reason = day, actor, reason.strip()
    _flush(session)
    audit.record(
        session,
        actor=actor,
        action=f"exchange.request.{row.state}",
        tenant=tenant,
        target=f"exchange.request:{row.id}",
        details={"grant_id": row.grant_id, "reason": row.answer_reason},
    )
    publish(
        session,
        tenant=tenant,
        type=f"exchange.request.{row.state}",
        actor=actor,
        payload={
            "request_id": row.id,
            "resource": row.resource_code,
            "consumer": row.consumer_identifier,
            "late": day > row.due_on,
        },
    )
    return row


def load_grant(session: Session, tenant: Any, grant_id: int) -> Grant:
    row = session.get(Grant, grant_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such grant here", "本级没有该授权", code="unknown_grant")
    return row


def revoke_grant(
    session: Session, platform: Any, tenant: Any, grant_id: int, *, version: int, reason: str, actor: str
) -> Grant:
    row = load_grant(session, tenant, grant_id)
    _check_version(row, version)
    if row.state != "active":
        raise Conflict("The grant is revoked already", "该授权已撤销", code="already_revoked")
    if not reason.strip():
        raise Invalid("Give a reason", "请说明撤销理由", fields={"reason": "required"})
    row.state, row.revoked_on, row.revoked_by, row.revoke_reason = (
        "revoked",
        today(platform),
        actor,
        reason.strip(),
    )
    _flush(session)
    audit.record(
        session,
        actor=actor,
        action="exchange.grant.revoked",
        tenant=tenant,
        target=f"exchange.grant:{row.id}",
        details={"reason": row.revoke_reason},
    )
    publish(
        session,
        tenant=tenant,
        type="exchange.grant.revoked",
        actor=actor,
        payload={"grant_id": row.id, "resource": row.resource_code, "consumer": row.consumer_identifier},
    )
    return row


def queue_stmt(tenant: Any, state: str = "pending") -> Select[Any]:
    """The provider's requests, for ``paginate`` (key: due day, then id)."""
    stmt = select(AccessRequest).where(AccessRequest.tenant_id == tenant.id)
    if state:
        stmt = stmt.where(AccessRequest.state == state)
    return stmt


def grants_stmt(tenant: Any) -> Select[Any]:
    """Grants this tenant's departments gave, for ``paginate`` (key: id, newest first)."""
    return select(Grant).where(Grant.tenant_id == tenant.id)


def provider_queue(session: Session, tenant: Any, state: str = "pending") -> list[AccessRequest]:
    stmt = queue_stmt(tenant, state)
    return list(session.scalars(stmt.order_by(AccessRequest.due_on, AccessRequest.id).limit(500)))


def grants_given(session: Session, tenant: Any) -> list[Grant]:
    return list(session.scalars(grants_stmt(tenant).order_by(Grant.id.desc()).limit(500)))


def _across_roots(platform: Any, stmt: Select[Any], key: Any, params: PageParams) -> Any:
    """One page (newest id first) of ``stmt`` read in the subtree scope of each root of the tree: each
    root's page with core.api's ``paginate``, merged by id (ids are unique across the tree)."""
    pages = []
    for scope in network_roots(platform):
        with platform.db.session(scope) as s:
            pages.append(paginate(s, stmt, params, key=[key], desc=True))
    if len(pages) == 1:
        return pages[0]
    items = sorted((i for p in pages for i in p.items), key=lambda i: i.id, reverse=True)
    more = any(p.next_cursor for p in pages) or len(items) > params.limit
    items = items[: params.limit]
    cursor = encode_cursor([items[-1].id]) if more and items else None
    return replace(pages[0], items=items, next_cursor=cursor)


def mine_requests(platform: Any, consumer: Any, params: PageParams) -> Any:
    """One page (core.api ``Page``) of the consumer tenant's requests at every provider, newest first."""
    stmt = select(AccessRequest).where(AccessRequest.consumer_tenant_id == consumer.id)
    return _across_roots(platform, stmt, AccessRequest.id, params)


def mine_grants(platform: Any, consumer: Any, params: PageParams) -> Any:
    """One page of the grants the consumer tenant's departments hold at every provider, newest first."""
    stmt = select(Grant).where(Grant.consumer_tenant_id == consumer.id)
    return _across_roots(platform, stmt, Grant.id, params)


def mine(
    platform: Any, consumer: Any, requests: PageParams | None = None, grants: PageParams | None = None
) -> dict[str, Any]:
    """The consumer tenant's requests and grants at every provider in the tree, newest first: one page of
    each (``requests`` / ``grants``: limit and cursor), the cursors of the next pages and the field labels
    of the resources shown."""
    rpage = mine_requests(platform, consumer, requests or PageParams(limit=50))
    gpage = mine_grants(platform, consumer, grants or PageParams(limit=50))
    labels: dict[int, dict[str, tuple[str, str]]] = {}
    ids = {r.resource_id for r in rpage.items} | {g.resource_id for g in gpage.items}
    for scope in network_roots(platform) if ids else ():
        with platform.db.session(scope) as s:
            for res in s.scalars(select(Resource).where(Resource.id.in_(ids))):
                labels[res.id] = {
                    f["name"]: (f.get("label", f["name"]), f.get("label_en") or f.get("label", ""))
                    for f in res.fields or []
                }
    return {
        "requests": rpage.items,
        "grants": gpage.items,
        "next_requests": rpage.next_cursor,
        "next_grants": gpage.next_cursor,
        "labels": labels,
    }


def field_labels(session: Session, tenant: Any) -> dict[int, dict[str, tuple[str, str]]]:
    """{resource id: {field: (zh, en)}} of this tenant's resources (pages show labels, not names)."""
    return {
        r.id: {
            f["name"]: (f.get("label", f["name"]), f.get("label_en") or f.get("label", ""))
            for f in r.fields or []
        }
        for r in session.scalars(select(Resource).where(Resource.tenant_id == tenant.id))
    }


def rights_stmt(tenant: Any, code: str, consumer_identifier: str) -> Select[Any]:
    """The gateway's rights check in one statement: the active resource ``code`` of ``tenant`` with the
    consumer's newest grant for it, active first (as :func:`grant_for` orders), or NULL grant columns."""
    on = and_(Grant.resource_id == Resource.id, Grant.consumer_identifier == consumer_identifier)
    return (
        select(
            Resource.code,
            Resource.source,
            Resource.plugin,
            Resource.url,
            Resource.method,
            Resource.log_bodies,
            Resource.provider_identifier,
            Resource.sharing,
            Resource.fields,
            Grant.id.label("grant_id"),
            Grant.state.label("grant_state"),
            Grant.expires_on.label("grant_expires_on"),
            Grant.fields.label("grant_fields"),
        )
        .outerjoin(Grant, on)
        .where(Resource.tenant_id == tenant.id, Resource.code == code, Resource.active.is_(True))
        .order_by((Grant.state == "active").desc(), Grant.expires_on.desc(), Grant.id.desc())
        .limit(1)
    )


def grant_for(session: Session, resource: Resource, consumer_identifier: str) -> Grant | None:
    """The consumer's newest grant for ``resource`` (active first), or None."""
    return session.scalars(
        select(Grant)
        .where(Grant.resource_id == resource.id, Grant.consumer_identifier == consumer_identifier)
        .order_by((Grant.state == "active").desc(), Grant.expires_on.desc(), Grant.id.desc())
        .limit(1)
    ).first()


def count_resources(session: Session) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Resource).where(Resource.active.is_(True))) or 0
    )
