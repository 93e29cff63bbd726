"""Credit subjects: legal persons by unified social credit code (GB 32100), natural persons by resident
identity number (GB 11643). Codes are validated with python-stdnum; errors name the field and the code."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from core.api import Invalid


@dataclass(frozen=True)
class Subject:
    kind: str  # "legal" | "person"
    code: str
    name: str = ""


def normalise(kind: str, code: str, *, field: str = "subject_code") -> str:
    """The compact, validated code of a subject, or Invalid naming ``field`` and the bad code."""
    code = (code or "").strip().upper()
    if kind == "legal":
        try:
            return str(uscc.validate(code))
        except ValidationError:
            raise Invalid(f"{code!r} is not a valid unified social credit code",
                          f"“{code}”不是有效的统一社会信用代码",
                          fields={field: f"invalid unified social credit code {code!r}"}) from None
    if kind == "person":
        try:
            return str(ric.validate(code))
        except ValidationError:
            raise Invalid(f"{code!r} is not a valid resident identity number",
                          f"“{code}”不是有效的公民身份号码",
                          fields={field: f"invalid resident identity number {code!r}"}) from None
    raise Invalid(f"subject kind {kind!r} must be legal or person", f"主体类型“{kind}”应为 legal 或 person",
                  fields={"subject_kind": "must be legal or person"})


def guess_kind(code: str) -> str | None:
    """Which kind a typed code is (search box): 18 characters with a valid checksum of either scheme."""
    code = (code or "").strip().upper()
    if uscc.is_valid(code):
        return "legal"
    if ric.is_valid(code):
        return "person"
    return None


def make_uscc(body17: str) -> str:
    """A code with the correct check digit (demo data and tests)."""
    return body17 + uscc.calc_check_digit(body17)


def mask(kind: str, code: str) -> str:
    """Public pages show a natural person's ID masked (personal information protection)."""
    if kind == "person" and len(code) == 18:
        return code[:6] + "********" + code[-4:]
    return code
