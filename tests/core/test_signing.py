"""Signing keys: one current key per owner, rotation keeps old signatures verifiable, private keys are
encrypted at rest, and verification needs nothing but the exported public key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import signing
from core.db import Scope

SECRET = "test-secret-key-for-signing-0123456789"


def test_sign_verify_rotate(platform):
    with platform.db.transaction(Scope.system()) as s:
        first = signing.signer_for(s, SECRET, "360000/360100/360102")
        again = signing.signer_for(s, SECRET, "360000/360100/360102")
        assert first.key_id == again.key_id  # one current key per owner
        sig = first.sign_b64(b"licence 1")
        rotated = signing.rotate(s, SECRET, "360000/360100/360102")
        assert rotated.key_id != first.key_id
        old = signing.public_key(s, first.key_id)
        assert old is not None and old.retired_at is not None
        keys = signing.public_keys(s, "360000/360100/360102")
        assert [k.key_id for k in keys] == [first.key_id, rotated.key_id]
    # offline: only the exported public key is needed
    signing.verify(old.public_key, b"licence 1", sig)
    with pytest.raises(signing.SignatureError):
        signing.verify(old.public_key, b"licence 2", sig)
    with pytest.raises(signing.SignatureError):
        signing.verify(old.public_key, b"licence 1", "not-a-signature")


def test_private_keys_are_encrypted_and_bound_to_the_secret(platform):
    with platform.db.transaction(Scope.system()) as s:
        signer = signing.signer_for(s, SECRET)
        row = s.scalars(select(signing.SigningKey).where(signing.SigningKey.key_id == signer.key_id)).one()
        raw = signer._key.private_bytes_raw()
        assert raw not in row.private_key
        with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
            signing.signer_for(s, "another-secret-key-0123456789abcdef")
        assert signing.rewrap(s, SECRET, "another-secret-key-0123456789abcdef") == 1
        moved = signing.signer_for(s, "another-secret-key-0123456789abcdef")
        assert moved.key_id == signer.key_id
        signing.verify(signing.public_key(s, signer.key_id).public_key, b"x", moved.sign_b64(b"x"))


def test_a_tenant_scoped_session_signs_for_its_tenant(platform):
    """Requests sign in their own tenant's scope (on PostgreSQL: as the row-level-security role)."""
    donghu = platform.directory.get("360102")
    with platform.db.transaction(Scope.tenant(donghu.id, donghu.path)) as s:
        signer = signing.signer_for(s, SECRET, donghu.path)
        sig = signer.sign_b64(b"payload")
        key = signing.public_key(s, signer.key_id)
    assert key is not None and key.tenant_path == donghu.path
    signing.verify(key.public_key, b"payload", sig)
