"""What the vendor_demo plugin does, without HTTP: sessions come in scoped to one tenant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govhall_vendor_demo.models import Note


def add_note(session: Session, tenant: Any, *, title: str, body: str = "") -> Note:
    """Publish a notice at ``tenant`` (the session's scope must cover it)."""
    note = Note(tenant_id=tenant.id, tenant_path=tenant.path, title=title, body=body)
    session.add(note)
    session.flush()
    return note


def list_notes(session: Session, limit: int = 50) -> list[Note]:
    """Notices visible in the session's scope, newest first (the scope filters by tenant)."""
    return list(session.scalars(select(Note).order_by(Note.id.desc()).limit(limit)))


def as_json(note: Note) -> dict[str, Any]:
    return {"id": note.id, "title": note.title, "body": note.body}
