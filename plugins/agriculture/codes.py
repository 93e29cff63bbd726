"""Trace codes and certificate numbers.

A lot's trace code is 19 digits: the issuing county's six-digit division code, twelve random digits and
a Luhn check digit. Digits only, so the QR code stays small (numeric mode) and a mistyped code is caught
by the check before any database lookup. Codes are unique across the network (a unique index) and never
reused: lots are never deleted.
"""

from __future__ import annotations

import secrets

from stdnum import luhn

from core.api import Invalid

LENGTH = 19


class BadCode(ValueError):
    """A trace code that cannot be one: its reason in both languages."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


def clean(raw: str) -> str:
    return "".join(ch for ch in raw.strip() if ch not in " -")[:40]


def parse(raw: str) -> str:
    """The code in canonical form, or BadCode saying what is wrong with it."""
    code = clean(raw)
    if not code.isascii() or not code.isdigit():
        raise BadCode("A trace code has digits only", "追溯码只含数字")
    if len(code) != LENGTH:
        raise BadCode(
            f"A trace code has {LENGTH} digits, this one {len(code)}",
            f"追溯码为 {LENGTH} 位数字，您输入了 {len(code)} 位",
        )
    if not luhn.is_valid(code):
        raise BadCode(
            "The check digit does not match: a digit was mistyped", "校验位不符：可能输错了某一位数字"
        )
    return code


def county_of(tenant_code: str) -> str:
    return (tenant_code + "000000")[:6]


def new_code(tenant_code: str) -> str:
    body = county_of(tenant_code) + f"{secrets.randbelow(10**12):012d}"
    return body + luhn.calc_check_digit(body)


def checked(raw: str) -> str:
    """A pre-printed code given with a new lot: canonical, or Invalid naming the field."""
    try:
        return parse(raw)
    except BadCode as exc:
        raise Invalid(
            exc.message_en,
            exc.message_zh,
            code="bad_code",
            fields={"code": exc.message_en},
            fields_zh={"code": exc.message_zh},
        ) from None


def certificate_number(tenant_code: str, day_iso: str) -> str:
    """HG + county + yyyymmdd + six random digits (22 characters)."""
    return f"HG{county_of(tenant_code)}{day_iso.replace('-', '')}{secrets.randbelow(10**6):06d}"
