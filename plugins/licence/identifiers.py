"""Electronic licence identifiers (电子证照标识, GB/T 36904-2018) and licence type codes.

An identifier is, in this order and without separators:

* the licence type code (证照类型代码, 21 characters): the unified social credit code of the body that
  defines the licence type (18) and a three-digit number it gives the type;
* the issuer's unified social credit code (证照颁发机构代码, 18);
* a serial number (流水号, 13): the issue date ``YYYYMMDD`` and a five-digit sequence per issuer and day;
* a version (版本号, 2): ``01`` for the first issue, one more for each change;
* a check character over all of the above: ISO/IEC 7064 MOD 37,36 (the hybrid system over 0-9A-Z).

55 characters in all, as in the public examples of the standard (for example
``11100000000013338W002`` + ``11320482014138860P`` + ``2018072502010`` + ``01`` + check). The check
character comes from python-stdnum's ``stdnum.iso7064.mod_37_36``; unified social credit codes
(GB 32100) are validated with ``stdnum.cn.uscc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_37_36

from core.api import Invalid

TYPE_CODE_LEN = 21
ISSUER_LEN = 18
SERIAL_LEN = 13
VERSION_LEN = 2
LENGTH = TYPE_CODE_LEN + ISSUER_LEN + SERIAL_LEN + VERSION_LEN + 1
_ALNUM = re.compile(r"^[0-9A-Z]+$")


class BadIdentifier(Invalid):
    """A string that is not a well-formed licence identifier; the message says which part is wrong."""

    code = "bad_identifier"


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version_no: int
    check: str

    @property
    def text(self) -> str:
        return f"{self.body}{self.check}"

    @property
    def body(self) -> str:
        return f"{self.type_code}{self.issuer_code}{self.serial}{self.version_no:02d}"

    @property
    def issued_on(self) -> date:
        return date(int(self.serial[:4]), int(self.serial[4:6]), int(self.serial[6:8]))


def clean(text: str) -> str:
    """Upper case without spaces or hyphens: what people type or scan."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def valid_credit_code(code: str) -> bool:
    return len(code) == ISSUER_LEN and uscc.is_valid(code)


def check_credit_code(code: str, field: str) -> str:
    code = clean(code)
    try:
        return str(uscc.validate(code))
    except ValidationError:
        raise Invalid(
            f"{code!r} is not a valid unified social credit code",
            f"“{code}”不是有效的统一社会信用代码",
            fields={field: "invalid credit code"},
        ) from None


def check_type_code(code: str, field: str = "code") -> str:
    """A licence type code: a valid unified social credit code followed by three digits."""
    code = clean(code)
    if len(code) != TYPE_CODE_LEN or not code[-3:].isdigit() or not valid_credit_code(code[:ISSUER_LEN]):
        raise Invalid(
            "A licence type code is the defining body's unified social credit code (18) and a "
            "three-digit number (21 characters)",
            "证照类型代码应为定义机构的统一社会信用代码（18 位）加 3 位顺序号，共 21 位",
            fields={field: "18-character credit code + 3 digits"},
        )
    return code


def serial_for(day: date, seq: int) -> str:
    if not 1 <= seq <= 99999:
        raise Invalid("More than 99,999 licences by one issuer in one day", "同一颁发机构当日流水号已用尽")
    return f"{day:%Y%m%d}{seq:05d}"


def compose(type_code: str, issuer_code: str, serial: str, version_no: int) -> Identifier:
    if not 1 <= version_no <= 99:
        raise Invalid("A licence has at most 99 versions", "证照版本号最多为 99")
    body = f"{type_code}{issuer_code}{serial}{version_no:02d}"
    return Identifier(type_code, issuer_code, serial, version_no, mod_37_36.calc_check_digit(body))


def parse(text: str) -> Identifier:
    """The parts of an identifier; BadIdentifier saying what is wrong (length, characters, check, parts)."""
    raw = clean(text)
    if len(raw) != LENGTH:
        raise BadIdentifier(
            f"A licence number has {LENGTH} characters; this one has {len(raw)}",
            f"电子证照标识应为 {LENGTH} 位，当前为 {len(raw)} 位",
            fields={"identifier": "wrong length"},
        )
    if not _ALNUM.match(raw):
        raise BadIdentifier(
            "A licence number has only digits and capital letters",
            "电子证照标识只含数字和大写字母",
            fields={"identifier": "bad characters"},
        )
    if not mod_37_36.is_valid(raw):
        raise BadIdentifier(
            "The check character does not match: the number was mistyped or altered",
            "校验位不符：标识输入有误或被篡改",
            fields={"identifier": "check character"},
        )
    type_code, rest = raw[:TYPE_CODE_LEN], raw[TYPE_CODE_LEN:]
    issuer, rest = rest[:ISSUER_LEN], rest[ISSUER_LEN:]
    serial, version = rest[:SERIAL_LEN], rest[SERIAL_LEN : SERIAL_LEN + VERSION_LEN]
    if not (serial.isdigit() and version.isdigit() and int(version) >= 1):
        raise BadIdentifier(
            "The serial number or version is not numeric",
            "流水号或版本号格式不正确",
            fields={"identifier": "serial or version"},
        )
    ident = Identifier(type_code, issuer, serial, int(version), raw[-1])
    try:
        ident.issued_on  # noqa: B018 - the serial starts with a real date
    except ValueError:
        raise BadIdentifier(
            "The serial number does not start with a date",
            "流水号不以日期开头",
            fields={"identifier": "serial date"},
        ) from None
    return ident
