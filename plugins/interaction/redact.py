"""Personal data removed from a text before it is published (the knowledge base of answered
consultations): what a reader could use to find the person.

- **Phone numbers** are found by Google's libphonenumber (``phonenumbers``, its ``PhoneNumberMatcher``
  over the text as Chinese numbers: mobiles, landlines with area codes, +86, spaces or dashes inside).
- **Long numbers** (15 to 19 digits, an ID number's final X included): resident ID numbers (checked with
  python-stdnum's ``cn.ric``), bank cards (Luhn) and any other such run — over-redacting a long number
  costs nothing, leaving an ID number costs the person.
- **E-mail addresses** by pattern.
- **Names**: the names the ticket carries (the submitter's) and those it gives after a cue (我叫, 姓名：,
  联系人 ...), wherever they appear in the question or the answer, become 某某; a surname and given name
  before a form of address (先生, 女士, 师傅, 主任 ...) become the surname and 某 (王小明先生 -> 王某先生),
  as Chinese public notices write.

Staff read and may edit the result before publishing; the same function runs again on what they submit,
so an edit cannot put a number back."""

from __future__ import annotations

import re
from collections.abc import Iterable

PHONE = "［电话］"
ID_NUMBER = "［证件号码］"
CARD = "［卡号］"
NUMBER = "［号码］"
EMAIL = "［邮箱］"
NAME = "某某"

_LONG = re.compile(r"(?<![0-9A-Za-z])(\d[\d ]{13,21}[\dXx])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_HAN = r"[\u4e00-\u9fff·]"
_CUE = re.compile(
    rf"(我叫|本人叫|名叫|姓名[:：]?|联系人[:：]?|申请人[:：]?|投诉人[:：]?|来电人[:：]?)\s*({_HAN}{{2,3}})"
    r"(?=[\s，。,.；;：:！!？?、）)]|$)"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤"
)
_TITLES = "先生|女士|小姐|同志|师傅|阿姨|大爷|大妈|老师|医生|经理|主任|科长|局长|所长|队长|书记|老板"
_GIVEN = r"(?:(?![和与跟及的了是在向对给找说请让])[\u4e00-\u9fff])"
_ADDRESSED = re.compile(rf"([{_SURNAMES}]){_GIVEN}{{0,2}}?(?={_TITLES})")


def _number(match: re.Match[str]) -> str:
    from stdnum import luhn
    from stdnum.cn import ric

    raw = match.group(1)
    digits = raw.replace(" ", "")
    if len(digits) in (15, 18) and ric.is_valid(digits):
        return ID_NUMBER
    if len(digits) == 18 and digits[:17].isdigit():
        return ID_NUMBER  # shaped like an ID number even where its check digit is wrong
    if digits.isdigit() and 16 <= len(digits) <= 19 and luhn.is_valid(digits):
        return CARD
    return NUMBER


def _phones(text: str) -> str:
    import phonenumbers

    spans = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.POSSIBLE)
    ]
    for start, end in reversed(spans):
        text = text[:start] + PHONE + text[end:]
    return text


def names_in(*texts: str) -> list[str]:
    """Names a text gives after a cue (我叫王小明，): redacted wherever else they appear (您好，王小明)."""
    return sorted({m.group(2) for text in texts for m in _CUE.finditer(text or "")})


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with phone numbers, ID and card numbers, e-mail addresses and names replaced."""
    if not text:
        return ""
    out = _EMAIL.sub(EMAIL, text)
    out = _LONG.sub(_number, out)
    out = _phones(out)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, NAME)
    out = _CUE.sub(lambda m: m.group(1) + NAME, out)
    out = _ADDRESSED.sub(lambda m: m.group(1) + "某", out)  # 王小明先生 -> 王某先生
    return out
