"""Alembic environment and the core branch of migrations."""
