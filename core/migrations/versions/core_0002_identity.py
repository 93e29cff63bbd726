"""Core: accounts, staff memberships, sessions, API tokens, role grants and login throttling.

The unified login (one account for every hall) and the Casbin policy's grants. Staff memberships and
role grants are tenant-owned (tenant_id + tenant_path, row-level security on PostgreSQL) so that moving
a subtree moves them; accounts, sessions and tokens belong to the whole network.

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db.base import PathType
from core.db.rls import disable_rls, enable_rls

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _tenant_columns(table: str) -> list[sa.Column]:
    return [
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
            nullable=False,
        ),
        sa.Column("tenant_path", PathType(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("id_number", sa.String(32), nullable=True),
        sa.Column("representative_name", sa.String(100), nullable=True),
        sa.Column("representative_id", sa.String(32), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
        sa.UniqueConstraint("kind", "id_number", name="uq_accounts_kind_id_number"),
    )
    op.create_table(
        "staff_memberships",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_tenant_columns("staff_memberships"),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", name="fk_staff_memberships_account_id_accounts"),
            nullable=False,
        ),
        sa.Column(
            "department_id",
            sa.Integer(),
            sa.ForeignKey("departments.id", name="fk_staff_memberships_department_id_departments"),
            nullable=True,
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_memberships"),
        sa.UniqueConstraint(
            "account_id", "tenant_id", "department_id", name="uq_staff_memberships_account_tenant_dept"
        ),
    )
    op.create_index("ix_staff_memberships_account_id", "staff_memberships", ["account_id"])
    op.create_index("ix_staff_memberships_tenant_id", "staff_memberships", ["tenant_id"])
    op.create_index("ix_staff_memberships_tenant_path", "staff_memberships", ["tenant_path"])
    enable_rls(op, "staff_memberships")
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_tenant_columns("role_grants"),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", name="fk_role_grants_account_id_accounts"),
            nullable=False,
        ),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("subtree", sa.Boolean(), nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_role_grants"),
        sa.UniqueConstraint("account_id", "role", "tenant_id", name="uq_role_grants_account_role_tenant"),
    )
    op.create_index("ix_role_grants_account_id", "role_grants", ["account_id"])
    op.create_index("ix_role_grants_tenant_id", "role_grants", ["tenant_id"])
    op.create_index("ix_role_grants_tenant_path", "role_grants", ["tenant_path"])
    enable_rls(op, "role_grants")
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", name="fk_login_sessions_account_id_accounts"),
            nullable=False,
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_login_sessions_token_hash"),
    )
    op.create_index("ix_login_sessions_account_id", "login_sessions", ["account_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", name="fk_api_tokens_account_id_accounts"),
            nullable=False,
        ),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("last_used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.UniqueConstraint("account_id", "name", name="uq_api_tokens_account_name"),
    )
    op.create_index("ix_api_tokens_account_id", "api_tokens", ["account_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_login_throttle"),
    )


def downgrade() -> None:
    disable_rls(op, "role_grants")
    disable_rls(op, "staff_memberships")
    for table in (
        "login_throttle",
        "api_tokens",
        "login_sessions",
        "role_grants",
        "staff_memberships",
        "accounts",
    ):
        op.drop_table(table)
