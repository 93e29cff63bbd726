"""Uploaded tender document files (招标文件附件): type and size checked by core.api.check_upload (the
extension names a known type and the first bytes prove it; at most ``bidding.document_max_mb``), stored
outside the database under ``<data_dir>/bidding/<sha256[:2]>/<sha256>`` (content-addressed, written
atomically), served with their digest checked, so a file changed on disk is refused, not delivered.

Files are added while the tender is a draft or open for bids and before the deadline; after publication
a file is a change of the documents, so the page asks for a clarification with it (the 15-day rule)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Conflict, Invalid, NotFound, audit, check_upload
from plugins.bidding import services
from plugins.bidding.models import Tender, TenderFile

MAX_MB = "bidding.document_max_mb"
MAX_FILES = 20  # per tender
ACCEPTED = frozenset({"pdf", "ofd", "docx", "xlsx", "doc", "xls", "zip", "dwg"})  # core.api.FILE_TYPES


def blob_path(data_dir: Path, sha: str) -> Path:
    return Path(data_dir) / "bidding" / sha[:2] / sha


def check(filename: str, data: bytes, max_mb: int) -> tuple[str, str]:
    """(clean file name, content type), or Invalid naming the ``file`` field."""
    f = check_upload(filename, data, allowed=ACCEPTED, max_bytes=max_mb * 1024 * 1024)
    return f.name, f.content_type


def add(
    s: Session,
    platform: Any,
    tenant: Any,
    tender_id: int,
    *,
    filename: str,
    data: bytes,
    actor: str,
    now: datetime | None = None,
) -> TenderFile:
    t = services.load(s, tenant, tender_id)
    now = services.now_of(platform, now)
    name, ctype = check(filename, data, int(platform.tenant_setting(tenant, MAX_MB)))
    if t.status not in ("draft", "published") or now >= services.aware(t.deadline):
        raise Conflict(
            "Files are added before the bid deadline only",
            "投标截止后不能再添加招标文件",
            code="wrong_state",
            fields={"file": "after the deadline"},
        )
    if (
        s.scalar(select(func.count()).select_from(TenderFile).where(TenderFile.tender_id == t.id)) or 0
    ) >= MAX_FILES:
        raise Invalid(
            f"At most {MAX_FILES} files per tender",
            f"每个项目最多 {MAX_FILES} 个文件",
            code="bad_upload",
            fields={"file": "too many files"},
        )
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(platform.settings.data_dir, sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file
    f = TenderFile(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        tender_id=t.id,
        filename=name,
        content_type=ctype,
        size=len(data),
        sha256=sha,
        uploaded_at=now,
        uploaded_by=actor,
    )
    s.add(f)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="bidding.document.upload",
        tenant=tenant,
        target=f"bidding.tender:{t.id}",
        details={"file_id": f.id, "filename": name, "sha256": sha, "size": len(data)},
    )
    return f


def read(s: Session, platform: Any, tender: Tender, file_id: int) -> tuple[TenderFile, bytes]:
    """A file of ``tender`` and its bytes; NotFound when missing or changed on disk."""
    f = s.scalar(select(TenderFile).where(TenderFile.id == file_id, TenderFile.tender_id == tender.id))
    if f is None:
        raise NotFound("No such file", "没有这个文件", code="not_found")
    path = blob_path(platform.settings.data_dir, f.sha256)
    data = path.read_bytes() if path.exists() else b""
    if hashlib.sha256(data).hexdigest() != f.sha256:
        raise NotFound("The stored file is missing or damaged", "文件缺失或已损坏", code="not_found")
    return f, data
