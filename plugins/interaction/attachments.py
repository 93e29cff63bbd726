"""Files attached to a ticket by the person who submits it and to the department's reply, checked by
core.api.check_uploads, the one upload check: the extension names a known type (PDF, OFD, Word, JPEG,
PNG), the first bytes prove it, each file is at most ``interaction.attachment_max_mb`` (refused while
it streams in, and again here), and at most ``MAX_FILES`` go with one submission or reply. Bytes live
outside the database under ``<data_dir>/interaction/<sha256[:2]>/<sha256>`` (content-addressed, written
atomically); a file is served only after its digest is checked, so a file changed on disk is refused,
not delivered."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Invalid, NotFound, check_uploads, read_uploads
from plugins.interaction.models import Attachment, Ticket

MAX_MB = "interaction.attachment_max_mb"
MAX_FILES = 5
ACCEPTED = frozenset({"pdf", "jpg", "jpeg", "png", "ofd", "doc", "docx"})  # core.api.FILE_TYPES
SIDES = ("submitter", "reply")


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


async def read_files(form: Any, max_mb: int, field: str = "files") -> list[Upload]:
    """The files posted as ``field`` (several allowed), read at most one byte past the limit."""
    return [Upload(n, d) for n, d in await read_uploads(form, field, max_mb * 1024 * 1024)]


def check(files: list[Upload], max_mb: int) -> list[tuple[str, str, bytes]]:
    """(clean name, content type, bytes) of each file, or one Invalid naming every bad one."""
    checked = check_uploads([(f.filename, f.data) for f in files], allowed=ACCEPTED,
                            max_bytes=max_mb * 1024 * 1024, max_files=MAX_FILES)
    return [(f.name, f.content_type, f.data) for f in checked]


def blob_path(data_dir: Path, sha: str) -> Path:
    return Path(data_dir) / "interaction" / sha[:2] / sha


def store(
    session: Session,
    platform: Any,
    ticket: Ticket,
    files: list[tuple[str, str, bytes]],
    side: str,
    actor: str,
) -> None:
    for name, ctype, data in files:
        sha = hashlib.sha256(data).hexdigest()
        path = blob_path(platform.settings.data_dir, sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)  # atomic: a reader never sees half a file
        session.add(
            Attachment(
                tenant_id=ticket.tenant_id,
                tenant_path=ticket.tenant_path,
                ticket_id=ticket.id,
                side=side,
                filename=name,
                content_type=ctype,
                size=len(data),
                sha256=sha,
                uploaded_by=actor[:120],
            )
        )
    session.flush()


def of(session: Session, ticket: Ticket) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.tenant_id == ticket.tenant_id, Attachment.ticket_id == ticket.id)
            .order_by(Attachment.id)
        )
    )


def read(session: Session, platform: Any, ticket: Ticket, attachment_id: int) -> tuple[Attachment, bytes]:
    """A file of this ticket with its bytes, its digest checked; anything else answers 404."""
    row = session.get(Attachment, attachment_id)
    if row is None or row.ticket_id != ticket.id or row.tenant_id != ticket.tenant_id:
        raise NotFound("No such file", "没有这个附件", code="unknown_file")
    path = blob_path(platform.settings.data_dir, row.sha256)
    data = path.read_bytes() if path.exists() else b""
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise Invalid(
            "The stored file does not match its digest", "存储的附件与登记的摘要不一致", code="tampered"
        )
    return row, data
