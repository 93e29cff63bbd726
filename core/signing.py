"""Signing keys: one Ed25519 key pair per tenant (and one for the platform), rotatable, old keys kept.

What signs here: the data-sharing platform's message log (plugins/exchange) and electronic licences
(plugins/licence), and whatever a later plugin must make verifiable offline. Verification needs only the
public key and its id, which every signed artefact names, so a licence signed before a rotation still
verifies after it.

Why Ed25519 through ``cryptography``: the most widely reviewed Python binding (OpenSSL underneath), small
keys and signatures (32 / 64 bytes, easy to print in a QR code), ~50 µs to sign and verify, and a
deterministic algorithm with no per-signature randomness to get wrong. SM2/SM3 (GB/T 32918, 32905) would
suit government use in China, but the maintained Python packages for them are not yet at this level of
review; ``algorithm`` is stored per key so a national-algorithm key type can be added beside this one.

Private keys are stored encrypted (AES-256-GCM) under a key derived with HKDF from the ``secret_key``
setting, with the key id as associated data: a database dump alone does not reveal them. Rotating
``secret_key`` therefore needs the keys re-wrapped (``rewrap``) in the same step.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Integer, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.base import Base, PathType, UTCDateTime, utcnow

ALGORITHM = "Ed25519"
PLATFORM = ""  # the tenant path of the platform's own key


class SigningKey(Base):
    """A key pair. Not tenant-scoped: public keys are public (verifiers in any tenant read them) and the
    private half is encrypted; only ``signer_for`` decrypts it, for the owner's own tenant."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(80), unique=True)
    tenant_path: Mapped[str] = mapped_column(PathType(), index=True)  # "" for the platform's key
    algorithm: Mapped[str] = mapped_column(String(20))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_key: Mapped[bytes] = mapped_column(LargeBinary)  # nonce (12 bytes) + AES-GCM ciphertext
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SignatureError(ValueError):
    """A signature does not verify, or names a key that is unknown."""


@dataclass(frozen=True)
class PublicKey:
    """What an offline verifier needs: the key id, its owner and the raw public key (base64)."""

    key_id: str
    tenant_path: str
    algorithm: str
    public_key: str
    created_at: str
    retired_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Signer:
    """Signs with one tenant's current key."""

    key_id: str
    _key: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def sign_b64(self, data: bytes) -> str:
        return b64(self.sign(data))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _wrapping_key(secret: str) -> AESGCM:
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"govhall-signing", info=b"private keys v1")
    return AESGCM(kdf.derive(secret.encode()))


def _wrap(secret: str, key_id: str, key: Ed25519PrivateKey) -> bytes:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    nonce = os.urandom(12)
    return nonce + _wrapping_key(secret).encrypt(nonce, raw, key_id.encode())


def _unwrap(secret: str, row: SigningKey) -> Ed25519PrivateKey:
    raw = _wrapping_key(secret).decrypt(row.private_key[:12], row.private_key[12:], row.key_id.encode())
    return Ed25519PrivateKey.from_private_bytes(raw)


def _new_key_id(tenant_path: str, public: bytes) -> str:
    owner = tenant_path.rsplit("/", 1)[-1] if tenant_path else "platform"
    return f"{owner}-{hashlib.sha256(public).hexdigest()[:16]}"


def _current(session: Session, tenant_path: str) -> SigningKey | None:
    return session.scalars(select(SigningKey).where(SigningKey.tenant_path == tenant_path,
                                                    SigningKey.retired_at.is_(None))
                           .order_by(SigningKey.id.desc()).limit(1)).first()


def _create(session: Session, secret: str, tenant_path: str) -> SigningKey:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = _new_key_id(tenant_path, public)
    row = SigningKey(key_id=key_id, tenant_path=tenant_path, algorithm=ALGORITHM, public_key=public,
                     private_key=_wrap(secret, key_id, key))
    session.add(row)
    session.flush()
    return row


def signer_for(session: Session, secret: str, tenant_path: str = PLATFORM) -> Signer:
    """The current signer of a tenant (``tenant_path``) or of the platform (``""``); creates the first key
    on first use, in the caller's transaction. ``secret`` is the ``secret_key`` setting."""
    row = _current(session, tenant_path) or _create(session, secret, tenant_path)
    return Signer(row.key_id, _unwrap(secret, row))


def rotate(session: Session, secret: str, tenant_path: str = PLATFORM) -> Signer:
    """Retire the current key (kept for verification) and start a new one."""
    row = _current(session, tenant_path)
    if row is not None:
        row.retired_at = utcnow()
    fresh = _create(session, secret, tenant_path)
    return Signer(fresh.key_id, _unwrap(secret, fresh))


def rewrap(session: Session, old_secret: str, new_secret: str) -> int:
    """Re-encrypt every private key under a new ``secret_key``; returns how many keys were re-wrapped."""
    rows = list(session.scalars(select(SigningKey)))
    for row in rows:
        row.private_key = _wrap(new_secret, row.key_id, _unwrap(old_secret, row))
    session.flush()
    return len(rows)


def public_key(session: Session, key_id: str) -> PublicKey | None:
    row = session.scalars(select(SigningKey).where(SigningKey.key_id == key_id)).first()
    return _public(row) if row is not None else None


def public_keys(session: Session, tenant_path: str | None = None) -> list[PublicKey]:
    """Every key (current and retired) of one owner, or of everyone when ``tenant_path`` is None."""
    stmt = select(SigningKey).order_by(SigningKey.id)
    if tenant_path is not None:
        stmt = stmt.where(SigningKey.tenant_path == tenant_path)
    return [_public(r) for r in session.scalars(stmt)]


def _public(row: SigningKey) -> PublicKey:
    return PublicKey(row.key_id, row.tenant_path, row.algorithm, b64(row.public_key),
                     row.created_at.isoformat(), row.retired_at.isoformat() if row.retired_at else None)


def verify(public_key_b64: str, data: bytes, signature_b64: str) -> None:
    """Raise SignatureError unless ``signature_b64`` is a valid signature of ``data``. Needs no database:
    offline verifiers call it with a public key taken from an export."""
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key_b64)).verify(unb64(signature_b64), data)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("signature does not verify") from exc
