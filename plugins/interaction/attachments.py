"""Files attached to a ticket by the person who submits it and to the department's reply, checked the way
approval checks uploaded materials (plugins/approval/uploads.py; plugins never import each other, so the
rule is restated here): the extension names a known type (PDF, OFD, Word, JPEG, PNG), the first bytes
prove it, each file is at most ``interaction.attachment_max_mb`` (refused while it streams in, and again
here), and at most ``MAX_FILES`` go with one submission or reply. Bytes live outside the database under
``<data_dir>/interaction/<sha256[:2]>/<sha256>`` (content-addressed, written atomically); a file is
served only after its digest is checked, so a file changed on disk is refused, not delivered."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Invalid, NotFound
from plugins.interaction.models import Attachment, Ticket

MAX_MB = "interaction.attachment_max_mb"
MAX_FILES = 5
TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG"),
    "ofd": ("application/ofd", b"PK"),
    "doc": ("application/msword", b"\xd0\xcf\x11\xe0"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
}
SIDES = ("submitter", "reply")


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


async def read_files(form: Any, max_mb: int, field: str = "files") -> list[Upload]:
    """The files posted as ``field`` (several allowed), read at most one byte past the limit."""
    from starlette.datastructures import UploadFile

    out = []
    for value in form.getlist(field):
        if isinstance(value, UploadFile) and value.filename:
            out.append(Upload(value.filename, await value.read(max_mb * 1024 * 1024 + 1)))
    return out


def check(files: list[Upload], max_mb: int) -> list[tuple[str, str, bytes]]:
    """(clean name, content type, bytes) of each file, or one Invalid naming every bad one."""
    files = [f for f in files if f.filename or f.data]
    if len(files) > MAX_FILES:
        raise Invalid(
            f"At most {MAX_FILES} files",
            f"最多上传 {MAX_FILES} 个附件",
            code="too_many_files",
            fields={"files": f"at most {MAX_FILES}"},
            fields_zh={"files": f"最多 {MAX_FILES} 个"},
        )
    kinds = "、".join(sorted(TYPES))
    out: list[tuple[str, str, bytes]] = []
    en: dict[str, str] = {}
    zh: dict[str, str] = {}
    for i, f in enumerate(files):
        name = Path(f.filename.replace("\\", "/")).name.strip()[:200]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if not name or not f.data:
            en[f"files.{i}"], zh[f"files.{i}"] = "empty file", f"{name[:60] or '附件'}：文件为空"
        elif ext not in TYPES or not f.data.startswith(TYPES[ext][1]):
            en[f"files.{i}"] = f"{name[:60]}: the type must be one of {', '.join(sorted(TYPES))}"
            zh[f"files.{i}"] = f"{name[:60]}：文件类型须为 {kinds}，且内容与类型相符"
        elif len(f.data) > max_mb * 1024 * 1024:
            en[f"files.{i}"] = f"{name[:60]}: larger than {max_mb} MB"
            zh[f"files.{i}"] = f"{name[:60]}：文件超过 {max_mb} MB"
        else:
            out.append((name, TYPES[ext][0], f.data))
    if en:
        raise Invalid(
            "Some files are not acceptable: " + "; ".join(en.values()),
            "；".join(zh.values()),
            code="bad_upload",
            fields=en,
            fields_zh=zh,
        )
    return out


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
