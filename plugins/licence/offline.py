"""Verifying a licence PDF with nothing but the file (and, optionally, the issuers' published keys).

Used by ``govhall licence verify FILE`` (no database) and by the verification page's upload form. Every
failure says why, in Chinese and English: not a PDF, no licence data, data edited after signing, page
edited after signing, a malformed or mistyped number, a key the issuer never published.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pypdf
from pypdf.errors import PyPdfError

from core.api import signing
from plugins.licence import identifiers
from plugins.licence.document import ATTACHMENT, FORMAT, appearance_digest, appearance_message

Message = tuple[str, str]  # (zh, en)


@dataclass
class Outcome:
    ok: bool = False
    problems: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    data: dict[str, Any] | None = None
    key_id: str = ""

    def fail(self, zh: str, en: str) -> Outcome:
        self.problems.append((zh, en))
        self.ok = False
        return self

    @property
    def identifier(self) -> str:
        return str((self.data or {}).get("identifier", ""))


def _manifest(reader: pypdf.PdfReader) -> dict[str, Any] | None:
    try:
        found = reader.attachments.get(ATTACHMENT)
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError):
        return None
    if not found:
        return None
    try:
        value = json.loads(found[0])
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _strings(manifest: dict[str, Any], *names: str) -> bool:
    return all(isinstance(manifest.get(n), str) and manifest.get(n) for n in names)


def verify_pdf(
    pdf: bytes, *, trusted_keys: list[dict[str, Any]] | None = None, today: date | None = None
) -> Outcome:
    """Check a licence file: its signed data, its page, its number and (when given) its key."""
    out = Outcome()
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf), strict=False)
        digest = appearance_digest(reader)
    except (PyPdfError, ValueError, TypeError, KeyError, OSError, AttributeError, IndexError):
        return out.fail("这不是可读取的 PDF 文件。", "This is not a readable PDF file.")
    manifest = _manifest(reader)
    if manifest is None or manifest.get("format") != FORMAT:
        return out.fail(
            "文件中没有电子证照签名数据：不是本平台签发的电子证照，或签名数据被删除。",
            "The file holds no signed licence data: it was not issued here, or the data was removed.",
        )
    if not _strings(
        manifest,
        "canonical",
        "signature",
        "key_id",
        "public_key",
        "appearance_digest",
        "appearance_signature",
    ):
        return out.fail(
            "签名数据不完整，证照被篡改。", "The signed data is incomplete: the file was tampered with."
        )
    out.key_id = manifest["key_id"]
    _check_data(out, manifest)
    if out.data is None:
        return out
    _check_page(out, manifest, digest)
    _check_key(out, manifest, trusted_keys)
    _check_dates(out, today)
    out.ok = not out.problems
    return out


def _check_data(out: Outcome, manifest: dict[str, Any]) -> None:
    try:
        signing.verify(manifest["public_key"], manifest["canonical"].encode(), manifest["signature"])
    except signing.SignatureError:
        out.fail(
            "证照数据与电子签名不符：签发后被修改过（或签名来自另一份证照）。",
            "The licence data does not match its signature: it was changed after signing (or the "
            "signature belongs to another licence).",
        )
        return
    try:
        data = json.loads(manifest["canonical"])
        ident = identifiers.parse(data["identifier"])
    except identifiers.BadIdentifier as exc:
        out.fail(f"证照编号无效：{exc.message_zh}", f"The licence number is invalid: {exc.message_en}")
        return
    except (ValueError, KeyError, TypeError):
        out.fail("签名数据格式不正确。", "The signed data is malformed.")
        return
    if ident.issuer_code != data.get("issuer", {}).get("code"):
        out.fail(
            "证照编号中的颁发机构代码与签名数据不符。",
            "The issuer code in the licence number differs from the signed issuer.",
        )
    out.data = data


def _check_page(out: Outcome, manifest: dict[str, Any], digest: str) -> None:
    identifier = out.identifier
    try:
        signing.verify(
            manifest["public_key"],
            appearance_message(identifier, manifest["appearance_digest"]),
            manifest["appearance_signature"],
        )
    except signing.SignatureError:
        out.fail(
            "页面签名无效：页面摘要不是签发机关签署的。",
            "The page signature is invalid: the page digest was not signed by the issuer.",
        )
        return
    if digest != manifest["appearance_digest"]:
        out.fail(
            "证照页面与签发时不同：页面上的文字或图形被编辑过。",
            "The page differs from the one that was signed: its text or graphics were edited.",
        )


def _check_key(out: Outcome, manifest: dict[str, Any], trusted: list[dict[str, Any]] | None) -> None:
    owner = str((out.data or {}).get("issuer", {}).get("tenant", ""))
    if trusted is None:
        out.notes.append(
            (
                f"签名有效（密钥 {out.key_id}，随文件附带）。未与签发机关公布的公钥核对：请用 --keys 指定"
                "从核验页下载的公钥文件，以排除伪造者自带密钥的情形。",
                f"The signature is good under key {out.key_id}, which the file carries. It was not checked "
                "against the issuer's published keys: pass --keys with the key file from the verification "
                "page to rule out a forger's own key.",
            )
        )
        return
    match = [k for k in trusted if isinstance(k, dict) and k.get("key_id") == out.key_id]
    if not match or match[0].get("public_key") != manifest["public_key"]:
        out.fail(
            "签名密钥不在签发机关公布的公钥之中：证照是伪造的。",
            "The signing key is not one the issuer published: the licence is forged.",
        )
    elif match[0].get("tenant_path") != owner:
        out.fail(
            "签名密钥属于另一个机关，而非证照上的签发机关：证照是伪造的。",
            "The signing key belongs to another authority, not the issuer named on the licence: forged.",
        )


def _check_dates(out: Outcome, today: date | None) -> None:
    data = out.data or {}
    until = data.get("valid_until")
    if today is not None and until and str(until) < today.isoformat():
        out.notes.append((f"有效期已于 {until} 届满。", f"The validity period ended on {until}."))
    out.notes.append(
        (
            "离线核验只能证明文件未被篡改；证照当前状态（暂停、撤销、变更）请访问 "
            f"{data.get('verify_url', '')}",
            f"Offline verification proves the file is unaltered; for the current state (suspended, revoked, "
            f"changed) open {data.get('verify_url', '')}",
        )
    )
