"""Uploaded materials: checked against the item's material list, stored outside the database.

Bytes are written to ``<data_dir>/uploads/<sha256[:2]>/<sha256>`` (content-addressed: the same file twice
is stored once, and a write from a rolled-back transaction leaves only an unreferenced, harmless blob).
The row keeps name, type, size and the hash, so a tampered file is detectable.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.api import FILE_TYPES, Invalid, upload_refusal
from plugins.approval.models import UploadedMaterial

# Types we accept at all, by extension (core.api.FILE_TYPES proves each by its first bytes); an item narrows
# this per material (allowed_types).
ACCEPTED = frozenset({"pdf", "jpg", "jpeg", "png", "ofd", "doc", "docx"})


@dataclass(frozen=True)
class Upload:
    material_code: str
    filename: str
    data: bytes

    @property
    def ext(self) -> str:
        return self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""


def check_uploads(
    materials: Sequence[Any], uploads: Sequence[Upload], *, max_mb: int, require_all: bool
) -> None:
    """Every required material present; each file of an allowed type and size. Raises one Invalid
    naming every problem, so the applicant fixes everything in one go."""
    spec = {m.code: m for m in materials}
    given = {u.material_code for u in uploads if u.data}
    fields: dict[str, str] = {}
    fields_zh: dict[str, str] = {}
    zh: list[str] = []
    for m in materials:
        if require_all and m.required and m.code not in given:
            fields[m.code] = "required material missing"
            fields_zh[m.code] = "请上传此材料"
            zh.append(f"缺少必需材料“{m.name}”")
    for u in uploads:
        if not u.data:
            continue
        m = spec.get(u.material_code)
        if m is None:
            fields[u.material_code] = "not a material of this item"
            fields_zh[u.material_code] = "不是本事项要求的材料"
            zh.append(f"“{u.filename}”不是本事项要求的材料")
            continue
        allowed = {t.strip() for t in m.allowed_types.split(",")} & ACCEPTED
        limit = min(m.max_mb, max_mb) * 1024 * 1024
        refusal = upload_refusal(u.filename, u.data, allowed=allowed, max_bytes=limit)
        if refusal is not None:
            fields[u.material_code] = refusal.en
            fields_zh[u.material_code] = f"{refusal.zh}，请重新选择文件"
            zh.append(f"“{m.name}”的{refusal.zh}")
    if fields:
        code = (
            "missing_material"
            if all(v == "required material missing" for v in fields.values())
            else "bad_upload"
        )
        raise Invalid(
            "Some materials are missing or not acceptable: "
            + "; ".join(f"{k}: {v}" for k, v in fields.items()),
            "；".join(zh),
            code=code,
            fields=fields,
            fields_zh=fields_zh,
        )


def blob_path(data_dir: Path, sha: str) -> Path:
    return Path(data_dir) / "uploads" / sha[:2] / sha


def store_uploads(
    session: Session, app: Any, uploads: Sequence[Upload], data_dir: Path, round_no: int
) -> None:
    for u in uploads:
        if not u.data:
            continue
        sha = hashlib.sha256(u.data).hexdigest()
        path = blob_path(data_dir, sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(u.data)
            tmp.replace(path)  # atomic: a reader never sees half a file
        known = FILE_TYPES.get(u.ext)
        ctype = known.content_type if known else mimetypes.guess_type(u.filename)[0]
        session.add(
            UploadedMaterial(
                application_id=app.id,
                material_code=u.material_code,
                filename=Path(u.filename).name[:200],
                content_type=ctype or "application/octet-stream",
                size=len(u.data),
                sha256=sha,
                round=round_no,
                tenant_id=app.tenant_id,
                tenant_path=app.tenant_path,
            )
        )
