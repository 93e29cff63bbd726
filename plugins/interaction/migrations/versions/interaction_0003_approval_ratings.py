"""Interaction: approval's ratings become reviews (one rating mechanism, issue #21). Every row of
approval's old ``approval_ratings`` that has no review yet (ratings made while interaction was on already
arrived through ``approval.service.rated``) is copied into ``interaction_reviews`` with its level, comment
and day; a bad one (level 1 or 2) opens a rectification due 10 working days (the setting's default) from
the day of this migration on the national calendar — the department had no such task before.

Approval drops its table in ``approval_0006``, which ``depends_on`` this revision, so the copy always runs
first. Where approval's table is absent (approval not installed, or a fresh database in which this runs
before approval's branch creates an empty one) there is nothing to copy.

Revision ID: interaction_0003
Revises: interaction_0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime, add_working_days, today

revision = "interaction_0003"
down_revision = "interaction_0002"
branch_labels = None
depends_on = None

BAD = 2
RECTIFICATION_DAYS = 10  # interaction.rectification_days' default
ZONE = ZoneInfo("Asia/Shanghai")
BATCH = 1000

ratings = sa.table(
    "approval_ratings",
    sa.column("application_id", sa.Integer),
    sa.column("level", sa.Integer),
    sa.column("comment", sa.Text),
    sa.column("at", UTCDateTime()),
    sa.column("tenant_id", sa.Integer),
    sa.column("tenant_path", sa.String),
)
apps = sa.table(
    "approval_applications",
    sa.column("id", sa.Integer),
    sa.column("number", sa.String),
    sa.column("item_code", sa.String),
    sa.column("item_name", sa.String),
    sa.column("department_code", sa.String),
    sa.column("applicant_account_id", sa.Integer),
)
reviews = sa.table(
    "interaction_reviews",
    sa.column("tenant_id", sa.Integer),
    sa.column("tenant_path", sa.String),
    sa.column("source", sa.String),
    sa.column("source_ref", sa.String),
    sa.column("number", sa.String),
    sa.column("item_code", sa.String),
    sa.column("item_name", sa.String),
    sa.column("department_code", sa.String),
    sa.column("account_id", sa.Integer),
    sa.column("level", sa.Integer),
    sa.column("comment", sa.Text),
    sa.column("rated_on", sa.Date),
    sa.column("rect_state", sa.String),
    sa.column("rect_due_on", sa.Date),
    sa.column("created_at", UTCDateTime()),
    sa.column("version", sa.Integer),
)


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if not {"approval_ratings", "approval_applications"} <= tables:
        return
    due = add_working_days(today(None), RECTIFICATION_DAYS)
    have = {
        (t, ref)
        for t, ref in bind.execute(
            sa.select(reviews.c.tenant_id, reviews.c.source_ref).where(reviews.c.source == "approval")
        )
    }
    query = (
        sa.select(
            ratings.c.application_id, ratings.c.level, ratings.c.comment, ratings.c.at,
            ratings.c.tenant_id, ratings.c.tenant_path, apps.c.number, apps.c.item_code, apps.c.item_name,
            apps.c.department_code, apps.c.applicant_account_id,
        )
        .join(apps, apps.c.id == ratings.c.application_id)
        .order_by(ratings.c.application_id)
    )
    batch: list[dict[str, object]] = []
    for r in bind.execute(query).all():
        ref = f"approval.application:{r.application_id}"
        if (r.tenant_id, ref) in have:
            continue
        bad = r.level <= BAD
        batch.append({
            "tenant_id": r.tenant_id, "tenant_path": r.tenant_path, "source": "approval", "source_ref": ref,
            "number": (r.number or "")[:40], "item_code": (r.item_code or "")[:64],
            "item_name": (r.item_name or "")[:200], "department_code": (r.department_code or "")[:64],
            "account_id": r.applicant_account_id, "level": r.level, "comment": (r.comment or "")[:1000],
            "rated_on": r.at.astimezone(ZONE).date(), "rect_state": "open" if bad else "",
            "rect_due_on": due if bad else None, "created_at": r.at, "version": 1,
        })
        if len(batch) >= BATCH:
            bind.execute(sa.insert(reviews), batch)
            batch = []
    if batch:
        bind.execute(sa.insert(reviews), batch)


def downgrade() -> None:
    """The copied reviews stay: approval's downgrade restores an empty table, and a review is the rating."""
