"""Alembic environment: one database, many branches (core + one per installed plugin).

Run through ``govhall migrate`` (core.db.migrate), which passes the engine and version locations.
On PostgreSQL each migration runs with a lock_timeout so a migration never queues behind live traffic
for long and blocks everyone behind it.
"""

from __future__ import annotations

from alembic import context

from core.db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes["engine"]
    with connectable.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET lock_timeout = '10s'")
            connection.commit()  # the SET began a transaction; alembic must own the next one
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            on_version_apply=config.attributes.get("on_version_apply"),  # `govhall migrate`'s progress bar
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `govhall migrate`")
run_migrations_online()
