"""Password hashing (argon2id via argon2-cffi) and the password policy, with messages in both languages."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import Invalid

_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 128
POLICY_EN = (
    f"The password must be {MIN_LENGTH}-{MAX_LENGTH} characters long and contain letters and digits, "
    "and must not contain the user name"
)
POLICY_ZH = f"密码须为 {MIN_LENGTH} 至 {MAX_LENGTH} 位，同时包含字母和数字，且不能包含用户名"
# Verified when the account does not exist, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing account (None) still spends the hashing time."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_policy(password: str, username: str = "", field: str = "password") -> None:
    """Raise Invalid naming ``field`` when the password breaks the policy."""
    ok = (
        MIN_LENGTH <= len(password) <= MAX_LENGTH
        and re.search(r"[A-Za-z]", password)
        and re.search(r"\d", password)
        and not (username and username.lower() in password.lower())
    )
    if not ok:
        raise Invalid(
            POLICY_EN, POLICY_ZH, code="weak_password", fields={field: POLICY_ZH + " / " + POLICY_EN}
        )
