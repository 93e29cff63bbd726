"""Password hashing (argon2id via argon2-cffi) and the password policy, with messages in both languages.

The policy: 10-128 characters with letters and digits, not containing the user name, and not guessable —
zxcvbn (Dropbox's estimator, with its lists of common passwords, names and words, and its patterns:
repeats, sequences, keyboard walks, dates, l33t) must rate it at least ``MIN_SCORE`` of 4, i.e. more than
10^8 guesses. ``Password123``, ``aaaaaaaaa1`` and ``P@ssw0rd2026`` fail it."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from core.errors import Invalid

_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" (>= 10^8 guesses)
POLICY_EN = (
    f"The password must be {MIN_LENGTH}-{MAX_LENGTH} characters long and contain letters and digits, "
    "must not contain the user name, and must not be a common or easily guessed password"
)
POLICY_ZH = (f"密码须为 {MIN_LENGTH} 至 {MAX_LENGTH} 位，同时包含字母和数字，不能包含用户名，"
             "且不能是常见或容易猜到的密码")
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


def guessable(password: str, *related: str) -> bool:
    """True when zxcvbn rates the password below ``MIN_SCORE`` (``related``: the user's name and such,
    which an attacker tries first)."""
    return int(zxcvbn(password, user_inputs=[r for r in related if r])["score"]) < MIN_SCORE


def check_policy(password: str, username: str = "", field: str = "password") -> None:
    """Raise Invalid naming ``field`` when the password breaks the policy."""
    ok = (
        MIN_LENGTH <= len(password) <= MAX_LENGTH
        and re.search(r"[A-Za-z]", password)
        and re.search(r"\d", password)
        and not (username and username.lower() in password.lower())
        and not guessable(password, username)
    )
    if not ok:
        raise Invalid(
            POLICY_EN, POLICY_ZH, code="weak_password", fields={field: POLICY_ZH + " / " + POLICY_EN}
        )
