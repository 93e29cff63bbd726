"""Exchange: members, subsystems with their credentials, the resource catalogue, access requests and
grants, and the signed hash-chained message log (one chain per provider tenant).

Every table is tenant-owned, so each gets row-level security. Depends on core_0005 (signing keys).

Revision ID: exchange_0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "exchange_0001"
down_revision = None
branch_labels = ("exchange",)
depends_on = "core_0005"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TABLES = (
    "exchange_members",
    "exchange_systems",
    "exchange_resources",
    "exchange_requests",
    "exchange_grants",
    "exchange_log_heads",
    "exchange_log",
)


def _tenant_cols() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _id() -> sa.Column:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, n: int, default: str | None = "") -> sa.Column:
    return sa.Column(name, sa.String(n), nullable=False, server_default=default)


def _members_and_systems() -> None:
    op.create_table(
        "exchange_members",
        _id(),
        *_tenant_cols(),
        sa.Column("identifier", sa.String(260), nullable=False, unique=True),
        _str("department_code", 32, None),
        _str("name", 100, None),
        _str("name_en", 200),
        _ts("created_at"),
        sa.UniqueConstraint("tenant_id", "department_code", name="uq_exchange_members_dept"),
    )
    op.create_table(
        "exchange_systems",
        _id(),
        *_tenant_cols(),
        sa.Column("member_identifier", sa.String(260), nullable=False, index=True),
        _str("subsystem", 40, None),
        _str("title", 100),
        sa.Column("client_id", sa.String(40), nullable=False, unique=True),
        _str("secret_hash", 64, None),
        _str("state", 10, "active"),
        _str("created_by", 100),
        _ts("created_at"),
        _ts("revoked_at", True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("member_identifier", "subsystem", name="uq_exchange_systems_sub"),
    )


def _resources() -> None:
    op.create_table(
        "exchange_resources",
        _id(),
        *_tenant_cols(),
        _str("code", 60, None),
        _str("name", 100, None),
        _str("name_en", 200),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        _str("provider_department", 32, None),
        sa.Column("provider_identifier", sa.String(260), nullable=False, index=True),
        _str("provider_name", 100),
        sa.Column("fields", sa.JSON, nullable=False),
        _str("update_cycle", 12, "realtime"),
        _str("sharing", 14, "conditional"),
        sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
        _str("format", 20, "json"),
        _str("source", 10, "plugin"),
        _str("plugin", 40),
        _str("url", 500),
        _str("method", 6, "GET"),
        sa.Column("openapi", sa.JSON, nullable=False),
        sa.Column("log_bodies", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        _ts("last_updated_at"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _ts("created_at"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_exchange_resources_code"),
    )
    op.create_index("ix_exchange_resources_list", "exchange_resources", ["tenant_path", "active", "id"])


def _requests_and_grants() -> None:
    def consumer() -> list[sa.Column]:
        return [
            sa.Column("consumer_tenant_id", sa.Integer, nullable=False, index=True),
            sa.Column("consumer_identifier", sa.String(260), nullable=False, index=True),
            _str("consumer_name", 100, None),
        ]

    op.create_table(
        "exchange_requests",
        _id(),
        *_tenant_cols(),
        sa.Column("resource_id", BigId, nullable=False, index=True),
        _str("resource_code", 60, None),
        _str("resource_name", 100, None),
        *consumer(),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        _str("state", 10, "pending"),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("answered_on", sa.Date, nullable=True),
        sa.Column("answer_reason", sa.Text, nullable=False, server_default=""),
        _str("requested_by", 100),
        _str("answered_by", 100),
        sa.Column("grant_id", BigId, nullable=True),
        _ts("created_at"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_exchange_requests_queue", "exchange_requests", ["tenant_path", "state", "due_on"])
    op.create_table(
        "exchange_grants",
        _id(),
        *_tenant_cols(),
        sa.Column("resource_id", BigId, nullable=False),
        _str("resource_code", 60, None),
        _str("resource_name", 100, None),
        *consumer(),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False, server_default=""),
        sa.Column("granted_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        _str("state", 10, "active"),
        sa.Column("request_id", BigId, nullable=True),
        _str("granted_by", 100),
        sa.Column("revoked_on", sa.Date, nullable=True),
        _str("revoked_by", 100),
        sa.Column("revoke_reason", sa.Text, nullable=False, server_default=""),
        _ts("created_at"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index(
        "ix_exchange_grants_lookup", "exchange_grants", ["resource_id", "consumer_identifier", "state"]
    )


def _log() -> None:
    op.create_table(
        "exchange_log_heads",
        _id(),
        *_tenant_cols(),
        sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"),
        _str("last_hash", 64, None),
        sa.UniqueConstraint("tenant_id", name="uq_exchange_log_heads_tenant"),
    )
    op.create_table(
        "exchange_log",
        _id(),
        *_tenant_cols(),
        sa.Column("seq", sa.Integer, nullable=False),
        _ts("at"),
        _str("resource_code", 60),
        _str("consumer_identifier", 260),
        _str("result", 30, None),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        _str("prev_hash", 64, None),
        _str("hash", 64, None),
        _str("signature", 100, None),
        _str("key_id", 80, None),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_exchange_log_seq"),
    )
    op.create_index("ix_exchange_log_resource", "exchange_log", ["tenant_path", "resource_code", "id"])


def upgrade() -> None:
    _members_and_systems()
    _resources()
    _requests_and_grants()
    _log()
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
