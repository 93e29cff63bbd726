"""Core: user names compared one way everywhere (issue #10 item 6): ``accounts.username_key``.

A user name is compared by its key — NFKC-normalised and case-folded — so ``VictimX``, ``victimx`` and
the full-width ``ＶｉｃｔｉｍＸ`` are one account, not three: the key is unique, sign-in looks it up, and
the login throttle counts failures per key. Existing names are keyed here; two that collide (they differ
only in case or width) stop the upgrade with both ids, to be renamed by an operator first.

Revision ID: core_0011
Revises: core_0010
Create Date: 2026-11-29
"""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "core_0011"
down_revision = "core_0010"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # Frozen copy of core.identity.service.username_key as of this revision.
    return unicodedata.normalize("NFKC", name).strip().casefold()


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("username_key", sa.String(80), nullable=True))
    conn = op.get_bind()
    seen: dict[str, int] = {}
    for account_id, name in conn.execute(sa.text("SELECT id, username FROM accounts ORDER BY id")):
        key = _key(name)
        if key in seen:
            raise RuntimeError(
                f"accounts {seen[key]} and {account_id} have user names that differ only in case or width "
                f"({name!r}); rename one (govhall accounts) before upgrading")
        seen[key] = account_id
        conn.execute(sa.text("UPDATE accounts SET username_key = :k WHERE id = :i"),
                     {"k": key, "i": account_id})
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("username_key", existing_type=sa.String(80), nullable=False)
        batch.create_unique_constraint("uq_accounts_username_key", ["username_key"])


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint("uq_accounts_username_key", type_="unique")
        batch.drop_column("username_key")
