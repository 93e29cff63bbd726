"""Sealed bids: the envelope format shared by the bidder's browser (WebCrypto), the ``govhall bidding seal``
command and the server's opening.

The bidder makes a random 256-bit AES key and a 96-bit nonce and encrypts the *plaintext* — the UTF-8 JSON
``{"v": 1, "price_cents": int, "salt": <32 hex>, "note": str, "files": [{"name", "data" (base64),
"author", "software"}]}`` — with AES-256-GCM, the associated data being ``govhall-bid|<ocid>|<credit
code>`` (a ciphertext cannot be replayed into another tender or under another bidder). The server gets the
ciphertext, the nonce and the *commitment* ``sha256(plaintext)``; the salt makes the commitment useless for
guessing a price. The key stays with the bidder until the opening: the platform — and anyone with its
database and servers — holds nothing that decrypts the bid before then.

At opening the bidder hands over the key; the server checks, in order: the stored ciphertext still has the
digest its signed receipt names (else *tampered*), GCM authenticates (else *wrong key*, since the bytes
are as received), the plaintext hashes to the commitment, and each file to its declared digest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
MAX_FILES = 20


class SealError(ValueError):
    """Why an envelope or a key was refused; ``code`` is stable, messages in both languages."""

    def __init__(self, code: str, zh: str, en: str, field: str = "key") -> None:
        super().__init__(en)
        self.code, self.zh, self.en, self.field = code, zh, en, field


def aad(ocid: str, credit_code: str) -> bytes:
    return f"govhall-bid|{ocid}|{credit_code}".encode()


def unb64(text: str, field: str) -> bytes:
    """Standard or URL-safe base64, padded or not."""
    t = text.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(t + "=" * (-len(t) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise SealError(
            "bad_base64", f"{field} 不是有效的 Base64 编码", f"{field} is not valid base64", field
        ) from None


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class BidFileIn:
    name: str
    data: bytes
    author: str = ""
    software: str = ""


@dataclass(frozen=True)
class Opened:
    """What a valid key reveals."""

    price_cents: int
    note: str
    files: list[dict[str, Any]] = field(default_factory=list)  # name, sha256, size, author, software


@dataclass(frozen=True)
class Sealed:
    """What a bidder sends (the key is kept)."""

    key: bytes
    nonce: bytes
    ciphertext: bytes
    commitment: str

    def request(self) -> dict[str, str]:
        return {"nonce": b64(self.nonce), "ciphertext": b64(self.ciphertext), "commitment": self.commitment}


def seal(
    ocid: str,
    credit_code: str,
    price_cents: int,
    files: list[BidFileIn] | None = None,
    note: str = "",
    *,
    key: bytes | None = None,
) -> Sealed:
    """Encrypt a bid as the browser does (for the CLI, the demo, tests and the benchmark)."""
    plain = json.dumps(
        {
            "v": VERSION,
            "price_cents": price_cents,
            "salt": secrets.token_hex(16),
            "note": note,
            "files": [
                {"name": f.name, "data": b64(f.data), "author": f.author, "software": f.software}
                for f in files or []
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    key = key or AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(12)
    return Sealed(key, nonce, AESGCM(key).encrypt(nonce, plain, aad(ocid, credit_code)), sha256(plain))


def check_envelope(nonce_b64: str, ciphertext_b64: str, commitment: str) -> tuple[bytes, bytes, str]:
    nonce = unb64(nonce_b64, "nonce")
    if len(nonce) != 12:
        raise SealError("bad_nonce", "nonce 必须为 12 字节", "nonce must be 12 bytes", "nonce")
    ct = unb64(ciphertext_b64, "ciphertext")
    if len(ct) < 17:
        raise SealError("bad_ciphertext", "密文过短", "ciphertext too short", "ciphertext")
    c = commitment.strip().lower()
    if len(c) != 64 or any(ch not in "0123456789abcdef" for ch in c):
        raise SealError(
            "bad_commitment",
            "commitment 必须为 64 位十六进制 SHA-256 摘要",
            "commitment must be a SHA-256 digest in 64 hex digits",
            "commitment",
        )
    return nonce, ct, c


def open_bid(
    *,
    key_b64: str,
    nonce: bytes,
    ciphertext: bytes,
    ciphertext_sha256: str,
    commitment: str,
    ocid: str,
    credit_code: str,
) -> Opened:
    """Decrypt and check a bid (see the module docstring for the order of checks)."""
    key = unb64(key_b64, "key")
    if len(key) != 32:
        raise SealError("bad_key", "密钥必须为 32 字节（AES-256）", "the key must be 32 bytes (AES-256)")
    if sha256(ciphertext) != ciphertext_sha256:
        raise SealError(
            "tampered",
            "投标文件密文与回执摘要不符，已被篡改",
            "the stored ciphertext does not match its receipt: it was tampered with",
            "ciphertext",
        )
    try:
        plain = AESGCM(key).decrypt(nonce, ciphertext, aad(ocid, credit_code))
    except InvalidTag:
        raise SealError(
            "wrong_key", "密钥错误，无法解密投标文件", "wrong key: the bid does not decrypt"
        ) from None
    if sha256(plain) != commitment:
        raise SealError(
            "digest_mismatch",
            "解密内容与投标时提交的摘要不符",
            "the decrypted bid does not match the digest given at submission",
            "commitment",
        )
    try:
        doc = json.loads(plain)
        price = doc["price_cents"]
        if doc.get("v") != VERSION or not isinstance(price, int) or isinstance(price, bool) or price <= 0:
            raise ValueError
        files = []
        for f in list(doc.get("files") or [])[:MAX_FILES]:
            data = unb64(str(f["data"]), "file")
            files.append(
                {
                    "name": str(f["name"])[:200],
                    "sha256": sha256(data),
                    "size": len(data),
                    "author": str(f.get("author", ""))[:100],
                    "software": str(f.get("software", ""))[:100],
                }
            )
        return Opened(price, str(doc.get("note", ""))[:2000], files)
    except (ValueError, KeyError, TypeError, SealError):
        raise SealError(
            "bad_plaintext",
            "投标文件格式不正确（须含 v=1 与正整数 price_cents）",
            "the bid's content is malformed (v=1 and a positive price_cents are required)",
            "ciphertext",
        ) from None
