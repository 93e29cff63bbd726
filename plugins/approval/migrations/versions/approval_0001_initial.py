"""Approval: the service-item catalogue, applications with their clocks, tasks, history and ratings.

Why: issue #4, the online approval platform. Every table is tenant-owned and gets row-level security on
PostgreSQL (core.db.rls). The composite indexes serve the workbench queue (tenant, department, state,
deadline), the statistics (tenant path, day, state), the bigram item search (tenant, token) and the
applicant's own list (account, time).

Revision ID: approval_0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

# ruff: noqa: E501  (table definitions rendered by alembic autogenerate, then reviewed)
import sqlalchemy as sa
from alembic import op

from core.api import enable_rls

revision = "approval_0001"
down_revision = None
branch_labels = ("approval",)
depends_on = "core_0003"

TABLES = [
    "approval_basic_items",
    "approval_items",
    "approval_item_materials",
    "approval_search_tokens",
    "approval_number_counters",
    "approval_applications",
    "approval_status_changes",
    "approval_uploads",
    "approval_findings",
    "approval_tasks",
    "approval_suspensions",
    "approval_ratings",
]


def upgrade() -> None:
    op.create_table(
        "approval_basic_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("item_type", sa.String(length=20), nullable=False),
        sa.Column("competent_department", sa.String(length=100), nullable=False),
        sa.Column("implementing_level", sa.String(length=40), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_basic_items_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_basic_items")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_approval_basic_items_tenant_code"),
    )
    op.create_index(
        op.f("ix_approval_basic_items_tenant_id"), "approval_basic_items", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_basic_items_tenant_path"), "approval_basic_items", ["tenant_path"], unique=False
    )
    op.create_table(
        "approval_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("basic_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("item_type", sa.String(length=20), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("entrance", sa.String(length=10), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("department_name", sa.String(length=100), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("statutory_days", sa.Integer(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("acceptance_days", sa.Integer(), nullable=False),
        sa.Column("fee_cents", sa.Integer(), nullable=False),
        sa.Column("fee_basis", sa.Text(), nullable=False),
        sa.Column("online_depth", sa.Integer(), nullable=False),
        sa.Column("max_visits", sa.Integer(), nullable=False),
        sa.Column("special_procedures", sa.JSON(), nullable=False),
        sa.Column("form_fields", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("consult_phone", sa.String(length=40), nullable=False),
        sa.Column("complaint_phone", sa.String(length=40), nullable=False),
        sa.Column("keywords", sa.String(length=500), nullable=False),
        sa.Column("decision_requires_reason", sa.Boolean(), nullable=False),
        sa.Column("publish_decisions", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_items_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_items")),
        sa.UniqueConstraint("tenant_id", "code", "version_no", name="uq_approval_items_tenant_code_version"),
    )
    op.create_index(
        "ix_approval_items_browse",
        "approval_items",
        ["tenant_path", "status", "entrance", "section"],
        unique=False,
    )
    op.create_index(op.f("ix_approval_items_tenant_id"), "approval_items", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_approval_items_tenant_path"), "approval_items", ["tenant_path"], unique=False)
    op.create_table(
        "approval_number_counters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_number_counters_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_number_counters")),
        sa.UniqueConstraint("tenant_id", "day", name="uq_approval_number_counters_tenant_day"),
    )
    op.create_index(
        op.f("ix_approval_number_counters_tenant_id"), "approval_number_counters", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_number_counters_tenant_path"),
        "approval_number_counters",
        ["tenant_path"],
        unique=False,
    )
    op.create_table(
        "approval_applications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("item_name", sa.String(length=200), nullable=False),
        sa.Column("item_version_no", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("applicant_account_id", sa.Integer(), nullable=False),
        sa.Column("applicant_kind", sa.String(length=10), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=40), nullable=False),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("suspended_from", sa.String(length=24), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("limit_days", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("statutory_deadline", sa.Date(), nullable=True),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("extended_by", sa.String(length=100), nullable=True),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("correction_notice", sa.JSON(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("remedies_notice", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("working_days_used", sa.Integer(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("fee_cents", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["approval_items.id"], name=op.f("fk_approval_applications_item_id_approval_items")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_applications_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_applications")),
        sa.UniqueConstraint("number", name=op.f("uq_approval_applications_number")),
    )
    op.create_index(
        "ix_approval_applications_applicant",
        "approval_applications",
        ["applicant_account_id", "submitted_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_approval_applications_item_id"), "approval_applications", ["item_id"], unique=False
    )
    op.create_index(
        "ix_approval_applications_queue",
        "approval_applications",
        ["tenant_path", "department_code", "state", "deadline"],
        unique=False,
    )
    op.create_index(
        "ix_approval_applications_stats",
        "approval_applications",
        ["tenant_path", "submitted_on", "state"],
        unique=False,
    )
    op.create_index(
        op.f("ix_approval_applications_tenant_id"), "approval_applications", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_applications_tenant_path"), "approval_applications", ["tenant_path"], unique=False
    )
    op.create_table(
        "approval_item_materials",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("original", sa.Boolean(), nullable=False),
        sa.Column("form_url", sa.String(length=300), nullable=False),
        sa.Column("allowed_types", sa.String(length=100), nullable=False),
        sa.Column("max_mb", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["approval_items.id"],
            name=op.f("fk_approval_item_materials_item_id_approval_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_item_materials_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_item_materials")),
    )
    op.create_index(
        op.f("ix_approval_item_materials_item_id"), "approval_item_materials", ["item_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_item_materials_tenant_id"), "approval_item_materials", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_item_materials_tenant_path"),
        "approval_item_materials",
        ["tenant_path"],
        unique=False,
    )
    op.create_table(
        "approval_search_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token", sa.String(length=8), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["approval_items.id"],
            name=op.f("fk_approval_search_tokens_item_id_approval_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_search_tokens_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_search_tokens")),
    )
    op.create_index(
        op.f("ix_approval_search_tokens_item_id"), "approval_search_tokens", ["item_id"], unique=False
    )
    op.create_index(
        "ix_approval_search_tokens_lookup",
        "approval_search_tokens",
        ["tenant_path", "token", "item_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_approval_search_tokens_tenant_id"), "approval_search_tokens", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_search_tokens_tenant_path"), "approval_search_tokens", ["tenant_path"], unique=False
    )
    op.create_table(
        "approval_findings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_findings_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_findings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_findings")),
    )
    op.create_index(
        op.f("ix_approval_findings_application_id"), "approval_findings", ["application_id"], unique=False
    )
    op.create_index(op.f("ix_approval_findings_tenant_id"), "approval_findings", ["tenant_id"], unique=False)
    op.create_index(
        op.f("ix_approval_findings_tenant_path"), "approval_findings", ["tenant_path"], unique=False
    )
    op.create_table(
        "approval_ratings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_ratings_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_ratings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_ratings")),
        sa.UniqueConstraint("application_id", name=op.f("uq_approval_ratings_application_id")),
    )
    op.create_index(op.f("ix_approval_ratings_tenant_id"), "approval_ratings", ["tenant_id"], unique=False)
    op.create_index(
        op.f("ix_approval_ratings_tenant_path"), "approval_ratings", ["tenant_path"], unique=False
    )
    op.create_table(
        "approval_status_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=False),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_status_changes_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_status_changes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_status_changes")),
    )
    op.create_index(
        op.f("ix_approval_status_changes_application_id"),
        "approval_status_changes",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_approval_status_changes_tenant_id"), "approval_status_changes", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_status_changes_tenant_path"),
        "approval_status_changes",
        ["tenant_path"],
        unique=False,
    )
    op.create_table(
        "approval_suspensions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("procedure", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("max_days", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("workdays", sa.Integer(), nullable=True),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_suspensions_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_suspensions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_suspensions")),
    )
    op.create_index(
        op.f("ix_approval_suspensions_application_id"),
        "approval_suspensions",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_approval_suspensions_tenant_id"), "approval_suspensions", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_approval_suspensions_tenant_path"), "approval_suspensions", ["tenant_path"], unique=False
    )
    op.create_table(
        "approval_tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("department_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("limit_days", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_tasks_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_tasks_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_tasks")),
        sa.UniqueConstraint(
            "application_id", "department_code", name="uq_approval_tasks_application_department"
        ),
    )
    op.create_index(
        op.f("ix_approval_tasks_application_id"), "approval_tasks", ["application_id"], unique=False
    )
    op.create_index(
        "ix_approval_tasks_queue",
        "approval_tasks",
        ["tenant_path", "department_code", "state", "deadline"],
        unique=False,
    )
    op.create_index(op.f("ix_approval_tasks_tenant_id"), "approval_tasks", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_approval_tasks_tenant_path"), "approval_tasks", ["tenant_path"], unique=False)
    op.create_table(
        "approval_uploads",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("material_code", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_uploads_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_uploads_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_uploads")),
    )
    op.create_index(
        op.f("ix_approval_uploads_application_id"), "approval_uploads", ["application_id"], unique=False
    )
    op.create_index(op.f("ix_approval_uploads_tenant_id"), "approval_uploads", ["tenant_id"], unique=False)
    op.create_index(
        op.f("ix_approval_uploads_tenant_path"), "approval_uploads", ["tenant_path"], unique=False
    )
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
