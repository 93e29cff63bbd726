"""Tables of the data-sharing platform (数据共享交换平台), after X-Road's model.

* ``Member``: a department of a tenant, identified network-wide as ``GOV:<tenant path>:<department code>``
  (X-Road's instance / member class / member code, with the administrative tree as the class).
* ``SystemCredential``: a member's subsystem (an information system that calls the gateway) with its
  client id and the SHA-256 of its secret; the secret is shown once.
* ``Resource``: a catalogue entry (数据资源目录): name, fields, update cycle, sharing type (unconditional /
  conditional / not shared), legal basis, format; served by a plugin (through ``govhall_data_resources``)
  or by an external HTTP service registered with its URL, method and an OpenAPI fragment.
* ``ResourceToken``: the catalogue's search index (bigrams and trigrams of ``search_text``).
* ``AccessRequest`` and ``Grant``: a consumer's request for a conditional resource and the provider's
  answer (access rights per resource, per consumer member, per field, until a day).
* ``LogEntry`` / ``LogHead``: the message log, one hash chain per provider tenant, each entry signed with
  that tenant's key (core.api.signing) so a third party verifies an export offline.

Requests, grants, resources and log entries belong to the provider's tenant; the consumer's side is named
by columns (``consumer_*``) and read across the tree in the subtree scope of each root.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

SHARING: dict[str, tuple[str, str]] = {
    "unconditional": ("无条件共享", "Shared unconditionally"),
    "conditional": ("有条件共享", "Shared on request"),
    "none": ("不予共享", "Not shared"),
}
CYCLES: dict[str, tuple[str, str, int]] = {  # name: (zh, en, days allowed between updates; 0 = never stale)
    "realtime": ("实时", "Real time", 0),
    "daily": ("每日", "Daily", 1),
    "weekly": ("每周", "Weekly", 7),
    "monthly": ("每月", "Monthly", 31),
    "quarterly": ("每季度", "Quarterly", 92),
    "yearly": ("每年", "Yearly", 366),
}
REQUEST_STATES: dict[str, tuple[str, str]] = {
    "pending": ("待答复", "Awaiting an answer"),
    "approved": ("已同意", "Approved"),
    "narrowed": ("部分同意", "Approved in part"),
    "refused": ("不予同意", "Refused"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
RESULTS: dict[str, tuple[str, str]] = {  # message-log results as people read them
    "ok": ("成功", "Answered"),
    "unknown_consumer": ("未知调用系统", "Unknown system"),
    "revoked_consumer": ("凭证已撤销", "Credential revoked"),
    "unknown_resource": ("无此资源", "No such resource"),
    "not_shared": ("不予共享", "Not shared"),
    "no_grant": ("无授权", "No grant"),
    "grant_revoked": ("授权已撤销", "Grant revoked"),
    "grant_expired": ("授权已过期", "Grant expired"),
    "field_not_granted": ("字段未授权", "Field not granted"),
    "provider_timeout": ("提供方超时", "Provider timed out"),
    "provider_unavailable": ("提供方不可用", "Provider unavailable"),
    "provider_error": ("提供方出错", "Provider failed"),
    "no_record": ("无匹配数据", "No matching record"),
    "bad_query": ("查询参数无效", "Bad query"),
}
GRANT_STATES: dict[str, tuple[str, str]] = {
    "active": ("有效", "Active"),
    "revoked": ("已撤销", "Revoked"),
}


class Member(TenantScoped, Base):
    """A department of a tenant as an exchange member."""

    __tablename__ = "exchange_members"
    __table_args__ = (UniqueConstraint("tenant_id", "department_code", name="uq_exchange_members_dept"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(260), unique=True)
    department_code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SystemCredential(TenantScoped, Base):
    """A member's subsystem: the information system that calls the gateway, with its credential."""

    __tablename__ = "exchange_systems"
    __table_args__ = (UniqueConstraint("member_identifier", "subsystem", name="uq_exchange_systems_sub"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_identifier: Mapped[str] = mapped_column(String(260), index=True)
    subsystem: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100), default="")
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="active")  # active | revoked
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Resource(TenantScoped, Base):
    """A data resource in the catalogue, offered by one member (department) of the tenant."""

    __tablename__ = "exchange_resources"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code", name="uq_exchange_resources_code"),
        Index("ix_exchange_resources_list", "tenant_path", "active", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    provider_department: Mapped[str] = mapped_column(String(32))
    provider_identifier: Mapped[str] = mapped_column(String(260), index=True)
    provider_name: Mapped[str] = mapped_column(String(100), default="")
    # [{"name", "label", "label_en"}]
    fields: Mapped[Any] = mapped_column(JSON, default=list)
    update_cycle: Mapped[str] = mapped_column(String(12), default="realtime")
    sharing: Mapped[str] = mapped_column(String(14), default="conditional")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(20), default="json")
    source: Mapped[str] = mapped_column(String(10), default="plugin")  # plugin | http
    plugin: Mapped[str] = mapped_column(String(40), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    method: Mapped[str] = mapped_column(String(6), default="GET")
    openapi: Mapped[Any] = mapped_column(JSON, default=dict)
    log_bodies: Mapped[bool] = mapped_column(Boolean, default=False)
    search_text: Mapped[str] = mapped_column(Text, default="")  # lower-cased name, code, fields, provider
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class ResourceToken(TenantScoped, Base):
    """A search token of a resource's ``search_text`` (plugins/exchange/search.py). The lookup index is
    ordered by token, then resource id: a search merges each token's postings newest first and stops at
    the page's end; the path rides along for the scope check without a visit to the table."""

    __tablename__ = "exchange_resource_tokens"
    __table_args__ = (Index("ix_exchange_resource_tokens_lookup", "token", "resource_id", "tenant_path"),)

    resource_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("exchange_resources.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(12), primary_key=True)


class AccessRequest(TenantScoped, Base):
    """A consumer member's request for a conditional resource; the provider answers by ``due_on``."""

    __tablename__ = "exchange_requests"
    __table_args__ = (Index("ix_exchange_requests_queue", "tenant_path", "state", "due_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resource_id: Mapped[int] = mapped_column(BigId, index=True)
    resource_code: Mapped[str] = mapped_column(String(60))
    resource_name: Mapped[str] = mapped_column(String(100))
    consumer_tenant_id: Mapped[int] = mapped_column(Integer, index=True)
    consumer_identifier: Mapped[str] = mapped_column(String(260), index=True)
    consumer_name: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(Text)
    fields: Mapped[Any] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    submitted_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answer_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    answered_by: Mapped[str] = mapped_column(String(100), default="")
    grant_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Grant(TenantScoped, Base):
    """An access right: this consumer member may read these fields of this resource until ``expires_on``."""

    __tablename__ = "exchange_grants"
    __table_args__ = (Index("ix_exchange_grants_lookup", "resource_id", "consumer_identifier", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resource_id: Mapped[int] = mapped_column(BigId)
    resource_code: Mapped[str] = mapped_column(String(60))
    resource_name: Mapped[str] = mapped_column(String(100))
    consumer_tenant_id: Mapped[int] = mapped_column(Integer, index=True)
    consumer_identifier: Mapped[str] = mapped_column(String(260), index=True)
    consumer_name: Mapped[str] = mapped_column(String(100))
    fields: Mapped[Any] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text, default="")
    granted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="active")
    request_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    granted_by: Mapped[str] = mapped_column(String(100), default="")
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_by: Mapped[str] = mapped_column(String(100), default="")
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class LogHead(TenantScoped, Base):
    """The head of a tenant's message-log chain: locked by each append, so the chain stays linear."""

    __tablename__ = "exchange_log_heads"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_exchange_log_heads_tenant"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class LogEntry(TenantScoped, Base):
    """One exchange in the message log. ``body`` is the exact canonical JSON that was hashed;
    ``hash = sha256(prev_hash + body)``; ``signature`` signs ``hash`` with ``key_id``."""

    __tablename__ = "exchange_log"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq", name="uq_exchange_log_seq"),
        Index("ix_exchange_log_resource", "tenant_path", "resource_code", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    resource_code: Mapped[str] = mapped_column(String(60), default="")
    consumer_identifier: Mapped[str] = mapped_column(String(260), default="")
    result: Mapped[str] = mapped_column(String(30))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(80))
