"""Uploaded files checked one way for every plugin: the extension names a known type, the first bytes
prove it (the extension is what the user claims, the magic is what the file is), the file is not empty
and not larger than the caller's limit, and a form carries at most so many files.

``FILE_TYPES`` is the one table of types and their first bytes (``detect_upload`` tells a type by the
bytes alone, for photos). ``upload_refusal`` says what is wrong with one file (or None); ``check_upload``
(one file, field ``file``) and ``check_uploads`` (several, fields ``files.0`` ...) raise an ``Invalid``
(code ``bad_upload``, or ``too_many_files``) in both languages; ``read_uploads`` reads the posted files
of a form field, each at most one byte past the limit (``core.web.forms.form_data(max_file_mb=...)``
already refuses a larger one while it streams in).

The table is ours rather than a library's (``filetype``, ``puremagic``): we accept a handful of types,
one of them (OFD, the Chinese fixed-layout format) unknown to those libraries, and the rule is a prefix.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import Invalid

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    ext: str
    content_type: str
    magic: bytes  # the first bytes every such file starts with

    def matches(self, data: bytes) -> bool:
        return data.startswith(self.magic)


_ZIP = b"PK\x03\x04"  # OOXML (docx, xlsx) and OFD are zip containers
_OLE = b"\xd0\xcf\x11\xe0"  # the old Office formats
FILE_TYPES: dict[str, FileType] = {
    t.ext: t
    for t in (
        FileType("pdf", "application/pdf", b"%PDF"),
        FileType("ofd", "application/ofd", _ZIP),
        FileType("doc", "application/msword", _OLE),
        FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
        FileType("xls", "application/vnd.ms-excel", _OLE),
        FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
        FileType("zip", "application/zip", _ZIP),
        FileType("dwg", "image/vnd.dwg", b"AC10"),
        FileType("jpg", "image/jpeg", b"\xff\xd8\xff"),
        FileType("jpeg", "image/jpeg", b"\xff\xd8\xff"),
        FileType("png", "image/png", b"\x89PNG\r\n\x1a\n"),
    )
}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: its clean name (no folders, at most 200 characters), type and bytes."""

    name: str
    type: FileType
    data: bytes

    @property
    def content_type(self) -> str:
        return self.type.content_type


@dataclass(frozen=True)
class Refusal:
    """Why one file is refused: ``reason`` is ``empty``, ``type`` or ``size``; messages say it without
    the file's name (the caller names the file or the material)."""

    reason: str
    en: str
    zh: str


def clean_name(filename: str) -> str:
    """The file's own name, without the folders a browser may send, at most 200 characters."""
    return Path(str(filename).replace("\\", "/")).name.strip()[:200]


def extension(filename: str) -> str:
    name = clean_name(filename)
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _kinds(allowed: Collection[str]) -> tuple[str, str]:
    return ", ".join(sorted(allowed)), "、".join(sorted(allowed))


def detect_upload(data: bytes, allowed: Collection[str]) -> FileType | None:
    """The allowed type these bytes are, by their first bytes alone (for photos, whose names say little)."""
    return next((FILE_TYPES[e] for e in sorted(allowed) if e in FILE_TYPES and FILE_TYPES[e].matches(data)),
                None)


def upload_refusal(filename: str, data: bytes, *, allowed: Collection[str], max_bytes: int) -> Refusal | None:
    """What is wrong with one file, or None: empty, not of an allowed known type proven by its first
    bytes, or larger than ``max_bytes``."""
    if not clean_name(filename) or not data:
        return Refusal("empty", "empty file", "文件为空")
    ext = extension(filename)
    if ext not in allowed or ext not in FILE_TYPES or not FILE_TYPES[ext].matches(data):
        en, zh = _kinds(allowed)
        return Refusal("type", f"type must be one of {en}", f"文件类型须为 {zh}，且文件内容与类型相符")
    if len(data) > max_bytes:
        return Refusal("size", f"larger than {_size(max_bytes)}", f"文件超过 {_size(max_bytes)}")
    return None


def _size(max_bytes: int) -> str:
    return f"{max_bytes // MB} MB" if max_bytes % MB == 0 else f"{max_bytes} bytes"


def check_upload(filename: str, data: bytes, *, allowed: Collection[str], max_bytes: int,
                 field: str = "file") -> CheckedFile:
    """One file, or an Invalid (code ``bad_upload``) naming ``field``."""
    refusal = upload_refusal(filename, data, allowed=allowed, max_bytes=max_bytes)
    if refusal is not None:
        if refusal.reason == "empty":
            en, zh = "Choose a file to upload", "请选择要上传的文件"
        else:
            en, zh = f"The file is not acceptable: {refusal.en}", refusal.zh
        raise Invalid(en, zh, code="bad_upload", fields={field: refusal.en}, fields_zh={field: refusal.zh})
    return CheckedFile(clean_name(filename), FILE_TYPES[extension(filename)], data)


def check_uploads(files: Sequence[tuple[str, bytes]], *, allowed: Collection[str], max_bytes: int,
                  max_files: int, field: str = "files") -> list[CheckedFile]:
    """Several files of one form field (``(filename, bytes)``; a part with neither is skipped): at most
    ``max_files`` (else code ``too_many_files``), each as ``upload_refusal`` says, one Invalid (code
    ``bad_upload``) naming every bad file as ``field.<i>``, so the user fixes everything in one go."""
    files = [(n, d) for n, d in files if n or d]
    if len(files) > max_files:
        raise Invalid(f"At most {max_files} files", f"最多上传 {max_files} 个文件", code="too_many_files",
                      fields={field: f"at most {max_files}"}, fields_zh={field: f"最多 {max_files} 个"})
    out: list[CheckedFile] = []
    en: dict[str, str] = {}
    zh: dict[str, str] = {}
    for i, (filename, data) in enumerate(files):
        refusal = upload_refusal(filename, data, allowed=allowed, max_bytes=max_bytes)
        name = clean_name(filename)
        if refusal is None:
            out.append(CheckedFile(name, FILE_TYPES[extension(filename)], data))
        else:
            en[f"{field}.{i}"] = f"{name[:60] or 'file'}: {refusal.en}"
            zh[f"{field}.{i}"] = f"{name[:60] or '文件'}：{refusal.zh}"
    if en:
        raise Invalid("Some files are not acceptable: " + "; ".join(en.values()), "；".join(zh.values()),
                      code="bad_upload", fields=en, fields_zh=zh)
    return out


async def read_uploads(form: Any, field: str, max_bytes: int) -> list[tuple[str, bytes]]:
    """``(filename, bytes)`` of each file posted as ``field``, each read at most one byte past
    ``max_bytes`` (so a check can tell it is too large without reading it all)."""
    from starlette.datastructures import UploadFile

    return [(value.filename or "", await value.read(max_bytes + 1))
            for value in form.getlist(field) if isinstance(value, UploadFile) and value.filename]
