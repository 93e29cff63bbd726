"""Core: signing keys (Ed25519), one current key per tenant and one for the platform, retired keys kept.

Electronic licences and the data-sharing platform's message log are signed and must verify offline and
after a key rotation, so public keys are never deleted; ``retired_at`` marks a key that no longer signs.
Not tenant-scoped (no row-level security): public keys are read by verifiers in every tenant, and the
private half is stored encrypted under the ``secret_key`` setting (core.signing).

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db.base import PathType

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_id", sa.String(80), nullable=False),
        sa.Column("tenant_path", PathType(), nullable=False),
        sa.Column("algorithm", sa.String(20), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_signing_keys"),
        sa.UniqueConstraint("key_id", name="uq_signing_keys_key_id"),
    )
    op.create_index("ix_signing_keys_tenant_path", "signing_keys", ["tenant_path"])


def downgrade() -> None:
    op.drop_index("ix_signing_keys_tenant_path", table_name="signing_keys")
    op.drop_table("signing_keys")
