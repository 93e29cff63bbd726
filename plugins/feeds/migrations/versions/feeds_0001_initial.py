"""Feeds: sending systems and their credentials, batches with per-record errors, and one table per record
type (fiscal budget lines and payments, cadre appointments and relatives, judicial cases, livelihood
subsidy payments and the death and staff registers), each unique on its natural key per tenant.

Every table is tenant-owned, so each gets row-level security.

Revision ID: feeds_0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "feeds_0001"
down_revision = None
branch_labels = ("feeds",)
depends_on = "core_0005"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def _common(key: tuple[str, ...] = ()) -> list[sa.Column]:
    return [
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _record(name: str, key: tuple[str, ...], *cols: sa.Column) -> None:
    op.create_table(
        name,
        *_common(),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("source_version", sa.BigInteger, nullable=False),
        sa.Column("batch_id", sa.BigInteger, nullable=False),
        *cols,
        sa.UniqueConstraint("tenant_id", *key, name=f"uq_{name}_key"),
    )


def _s(name: str, n: int, *, index: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(n), nullable=False, index=index)


def _d(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Date, nullable=nullable)


def _cents(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=nullable)


TABLES = (
    "feed_sources",
    "feed_batches",
    "feed_errors",
    "feed_fiscal_budget_lines",
    "feed_fiscal_payments",
    "feed_cadre_appointments",
    "feed_cadre_relatives",
    "feed_judicial_cases",
    "feed_livelihood_payments",
    "feed_livelihood_deaths",
    "feed_livelihood_staff",
)


def upgrade() -> None:
    op.create_table(
        "feed_sources",
        *_common(),
        sa.Column("client_id", sa.String(40), nullable=False, unique=True),
        _s("secret_hash", 64),
        _s("department_code", 32),
        _s("title", 100),
        sa.Column("streams", sa.JSON, nullable=False),
        _s("state", 10),
        _s("created_by", 100),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "feed_batches",
        *_common(),
        _s("stream", 40),
        _s("channel", 10),
        _s("sender", 260),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        *(
            sa.Column(c, sa.Integer, nullable=False)
            for c in ("total", "inserted", "updated", "unchanged", "stale", "rejected")
        ),
    )
    op.create_index("ix_feed_batches_tenant_received", "feed_batches", ["tenant_id", "id"])
    op.create_table(
        "feed_errors",
        *_common(),
        sa.Column("batch_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("row", sa.Integer, nullable=False),
        _s("record_key", 200),
        _s("field", 100),
        _s("message", 500),
    )
    _record(
        "feed_fiscal_budget_lines",
        ("line_code",),
        _s("line_code", 60),
        _s("title", 200),
        sa.Column("year", sa.Integer, nullable=False),
        _cents("amount_cents"),
        sa.Column("special_fund", sa.Boolean, nullable=False),
        _d("deadline", True),
    )
    _record(
        "feed_fiscal_payments",
        ("payment_no",),
        _s("payment_no", 60),
        _s("line_code", 60, index=True),
        _s("supplier_code", 40, index=True),
        _s("supplier_name", 200),
        _cents("amount_cents"),
        _d("paid_on"),
        _s("purpose", 200),
    )
    _record(
        "feed_cadre_appointments",
        ("appointment_no",),
        _s("appointment_no", 60),
        _s("person_code", 40, index=True),
        _s("person_name", 60),
        _s("post_code", 40),
        _s("post_title", 100),
        _d("publicity_start", True),
        _d("publicity_end", True),
        sa.Column("publicity_days", sa.Integer, nullable=True),
        sa.Column("objections_open", sa.Integer, nullable=False),
        _d("appointed_on"),
        _d("left_on", True),
    )
    _record(
        "feed_cadre_relatives",
        ("person_code", "relative_code"),
        _s("person_code", 40),
        _s("relative_code", 40),
        _s("relation", 20),
    )
    _record(
        "feed_judicial_cases",
        ("case_no",),
        _s("case_no", 60),
        _s("violation_code", 40),
        _s("violation_title", 200),
        _d("opened_on"),
        sa.Column("limit_days", sa.Integer, nullable=False),
        _s("limit_unit", 10),
        sa.Column("deadline", sa.Date, nullable=False, index=True),
        _d("closed_on", True),
        _cents("penalty_cents", True),
        sa.Column("notice_required", sa.Boolean, nullable=False),
        _d("notice_served_on", True),
    )
    _record(
        "feed_livelihood_payments",
        ("payment_no",),
        _s("payment_no", 60),
        _s("subsidy_code", 40),
        _s("subsidy_title", 100),
        _s("payee_id", 18, index=True),
        _s("payee_name", 60),
        _s("period", 7),
        _cents("amount_cents"),
        _d("paid_on"),
    )
    _record("feed_livelihood_deaths", ("person_id",), _s("person_id", 18), _d("died_on"))
    _record(
        "feed_livelihood_staff",
        ("staff_department", "person_id"),
        _s("staff_department", 32),
        _s("person_id", 18),
        _s("person_name", 60),
    )
    for t in TABLES:
        enable_rls(op, t)


def downgrade() -> None:
    for t in reversed(TABLES):
        disable_rls(op, t)
        op.drop_table(t)
