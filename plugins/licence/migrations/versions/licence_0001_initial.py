"""Licence: the licence catalogue, item -> licence type mappings, issued licences (one row per version)
with their history, serial counters and one-time use codes.

Every table is tenant-owned (the issuing tenant), so each gets row-level security. Depends on core_0005
because licences are signed with the tenant keys that revision added.

Revision ID: licence_0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "licence_0001"
down_revision = None
branch_labels = ("licence",)
depends_on = "core_0005"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TABLES = (
    "licence_types",
    "licence_item_types",
    "licences",
    "licence_changes",
    "licence_serial_counters",
    "licence_use_codes",
)


def _tenant_cols() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _types() -> None:
    op.create_table(
        "licence_types",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("code", sa.String(21), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("department_name", sa.String(100), nullable=False),
        sa.Column("issuer_code", sa.String(18), nullable=False),
        sa.Column("holder_kind", sa.String(10), nullable=False, server_default="legal"),
        sa.Column("validity_months", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_licence_types_tenant_code"),
    )
    op.create_table(
        "licence_item_types",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("item_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("type_id", BigId, sa.ForeignKey("licence_types.id"), nullable=False, index=True),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "item_code", name="uq_licence_item_types_tenant_item"),
    )


def _licences() -> None:
    op.create_table(
        "licences",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("identifier", sa.String(55), nullable=False, unique=True),
        sa.Column("type_id", BigId, sa.ForeignKey("licence_types.id"), nullable=False, index=True),
        sa.Column("type_code", sa.String(21), nullable=False),
        sa.Column("type_name", sa.String(100), nullable=False),
        sa.Column("serial", sa.String(13), nullable=False),
        sa.Column("version_no", sa.Integer, nullable=False),
        sa.Column("previous_id", BigId, nullable=True),
        sa.Column("holder_kind", sa.String(10), nullable=False),
        sa.Column("holder_id_number", sa.String(18), nullable=False),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("issuer_code", sa.String(18), nullable=False),
        sa.Column("issuer_name", sa.String(100), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("issue_deadline", sa.Date, nullable=True),
        sa.Column("application_number", sa.String(40), nullable=False, server_default=""),
        sa.Column("item_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("state", sa.String(12), nullable=False, server_default="valid"),
        sa.Column("state_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("source_key", sa.String(120), nullable=True),
        sa.Column("canonical", sa.Text, nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.Column("key_id", sa.String(80), nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "source_key", name="uq_licences_tenant_source"),
        sa.UniqueConstraint("tenant_id", "type_id", "serial", "version_no", name="uq_licences_version"),
    )
    op.create_index("ix_licences_holder", "licences", ["holder_id_number", "holder_kind"])
    op.create_index("ix_licences_list", "licences", ["tenant_path", "state", "id"])
    op.create_table(
        "licence_changes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("licence_id", BigId, sa.ForeignKey("licences.id"), nullable=False, index=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(12), nullable=False, server_default=""),
        sa.Column("to_state", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def _counters_and_codes() -> None:
    op.create_table(
        "licence_serial_counters",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("issuer_code", sa.String(18), nullable=False),
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("tenant_id", "issuer_code", "day", name="uq_licence_serial_counters_key"),
    )
    op.create_table(
        "licence_use_codes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("licence_id", BigId, sa.ForeignKey("licences.id"), nullable=False, index=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("purpose", sa.String(200), nullable=False, server_default=""),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redeemed_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("redeemed_account_id", sa.Integer, nullable=True),
        sa.Column("redeemed_tenant_id", sa.Integer, nullable=True),
        sa.Column("view_until", sa.DateTime(timezone=True), nullable=True),
    )


def upgrade() -> None:
    _types()
    _licences()
    _counters_and_codes()
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
