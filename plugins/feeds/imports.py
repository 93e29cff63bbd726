"""A feed file imported chunk by chunk, one transaction per chunk, so that a million records go through
in constant memory and a failure keeps what was committed (re-running the import is harmless: what is
there already is ``unchanged``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from core.api import Invalid
from plugins.feeds import files, services
from plugins.feeds.ingest import CHUNK, Feed, chunks
from plugins.feeds.models import RecordError

CHUNKS_PER_TRANSACTION = 10


def import_records(
    platform: Any,
    tenant: Any,
    stream: str,
    items: Iterable[Any],
    *,
    department: str,
    channel: str = "file",
    sender: str = "",
) -> Feed:
    with platform.db.transaction(tenant.scope) as s:
        depts = services.departments(s, tenant)
        feed = Feed(
            platform,
            tenant,
            stream,
            channel=channel,
            sender=sender,
            department=department,
            departments=depts,
            keep_outcomes=False,
        )
        if department not in depts:
            raise Invalid(
                "No such department here",
                "本级没有该部门",
                code="unknown_department",
                fields={"department": "unknown"},
            )
        feed.start(s)
    parts = iter(chunks(items, CHUNK))
    done = False
    while not done:
        with platform.db.transaction(tenant.scope) as s:
            for _ in range(CHUNKS_PER_TRANSACTION):
                part = next(parts, None)
                if part is None:
                    done = True
                    break
                feed.add(s, part)
    with platform.db.transaction(tenant.scope) as s:
        feed.finish(s)
    return feed


def import_file(
    platform: Any,
    tenant: Any,
    stream: str,
    path: Path,
    *,
    department: str,
    advance: Callable[[int], None] | None = None,
) -> Feed:
    files.kind_of(path)
    return import_records(
        platform, tenant, stream, files.records(path, advance), department=department, sender=path.name
    )


def first_errors(platform: Any, tenant: Any, batch_id: int, limit: int = 50) -> list[RecordError]:
    with platform.db.session(tenant.scope) as s:
        rows = services.errors(s, tenant, batch_id, limit)
        for r in rows:
            s.expunge(r)
        return rows
