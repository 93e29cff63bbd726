"""Bad form input as per-field messages for a page, Chinese first with English beside.

The one translation of pydantic's error types into Chinese (the English message stays pydantic's own):
plugins used to carry a table each (``_ZH_PYDANTIC``, ``_ZH_ERRORS`` ...); ``tests/test_form_errors_lint.py``
fails when a plugin defines one again.

- ``error_zh(error)``: one pydantic error (an item of ``ValidationError.errors()``) in Chinese, using its
  context (``max_length``, ``ge`` ...) where there is one.
- ``form_error_pairs(exc)``: field -> (Chinese, English), the first error of each field.
- ``form_errors(exc, lang=...)``: field -> one message in the page's language: ``中文说明：English message``
  for a Chinese page, the English message alone for an English one. With ``labels`` (field -> Chinese name),
  a Chinese page's keys read ``中文名 (field)``.

Both accept a ``DomainError`` too (its own messages, for the fields it names, else for ``form``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from core.errors import DomainError

# pydantic error type -> Chinese; ``{name}`` is filled from the error's context when it has that key.
_ZH: dict[str, str] = {
    "missing": "必填",
    "string_type": "应为文本",
    "string_too_short": "内容过短（至少 {min_length} 个字符）",
    "string_too_long": "内容过长（最多 {max_length} 个字符）",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "数值过小（不能小于 {ge}）",
    "less_than": "须小于 {lt}",
    "less_than_equal": "数值过大（不能大于 {le}）",
    "date_parsing": "日期格式应为 YYYY-MM-DD（年-月-日）",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD（年-月-日）",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD（年-月-日）",
    "date_type": "日期格式应为 YYYY-MM-DD（年-月-日）",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "datetime_type": "日期时间格式不正确",
    "time_parsing": "时间格式不正确",
    "bool_parsing": "取值无效",
    "bool_type": "取值无效",
    "literal_error": "取值无效",
    "enum": "取值无效",
    "list_type": "应为列表",
    "list_too_short": "至少 {min_length} 项",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "dict_type": "格式不正确",
    "model_type": "格式不正确",
    "extra_forbidden": "不应提交此字段",
    "json_invalid": "不是有效的 JSON",
    "url_parsing": "网址格式不正确",
    "url_scheme": "网址格式不正确",
    "value_error": "格式不正确",
    "assertion_error": "格式不正确",
}
_SPECIAL: dict[tuple[str, Any], str] = {
    ("string_too_short", 1): "必填",
    ("list_too_short", 1): "至少选择一项",
    ("too_short", 1): "至少选择一项",
}
_LIMIT_KEY = {"string_too_short": "min_length", "list_too_short": "min_length", "too_short": "min_length"}
FALLBACK_ZH = "格式不正确"


def error_zh(error: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> str:
    """One pydantic error in Chinese. ``overrides`` (error type -> Chinese) is for a message that must
    say more than the general one (a file's expected columns, say); keep it to such cases."""
    kind = str(error.get("type", ""))
    if overrides and kind in overrides:
        return overrides[kind]
    ctx = error.get("ctx") or {}
    special = _SPECIAL.get((kind, ctx.get(_LIMIT_KEY.get(kind, ""))))
    if special:
        return special
    template = _ZH.get(kind, FALLBACK_ZH)
    try:
        return template.format(**{k: v for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return template.split("（")[0]  # the context lacks the limit: the plain message


def error_en(error: Mapping[str, Any]) -> str:
    """pydantic's English message, without the ``Value error, `` prefix of a validator's own message."""
    return str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _key(loc: tuple[Any, ...], whole_path: bool) -> str:
    if not loc:
        return "form"
    return ".".join(map(str, loc)) if whole_path else str(loc[0])


def form_error_pairs(exc: Exception, *, whole_path: bool = True,
                     overrides: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Field -> (Chinese, English), the first error of each field, from a ``ValidationError`` or a
    ``DomainError``. A field is its whole path (``shareholders.0.name``), or with ``whole_path=False``
    the top-level form field (``shareholders``)."""
    if isinstance(exc, ValidationError):
        out: dict[str, tuple[str, str]] = {}
        for e in exc.errors():
            out.setdefault(_key(tuple(e["loc"]), whole_path), (error_zh(e, overrides), error_en(e)))
        return out
    if not isinstance(exc, DomainError):
        raise TypeError(f"not a validation or domain error: {exc!r}")
    return {
        name: (exc.message_zh, exc.message_en if msg in exc.message_en else f"{exc.message_en} ({msg})")
        for name, msg in exc.fields.items()
    } or {"form": (exc.message_zh, exc.message_en)}


def form_errors(exc: Exception, labels: Mapping[str, str] | None = None, *, lang: str = "zh-CN",
                whole_path: bool = True, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Field -> message in the page's language: ``中文说明：English message`` on a Chinese page (a
    domain error's Chinese message alone), the English message on an English page. ``labels`` (field ->
    Chinese name) makes a Chinese page's keys ``中文名 (field)``."""
    zh = lang == "zh-CN"

    def label(name: str) -> str:
        return f"{labels.get(name, name)} ({name})" if zh and labels is not None else name

    if isinstance(exc, ValidationError):
        pairs = form_error_pairs(exc, whole_path=whole_path, overrides=overrides)
        return {label(name): f"{z}：{en}" if zh else en for name, (z, en) in pairs.items()}
    if not isinstance(exc, DomainError):
        raise TypeError(f"not a validation or domain error: {exc!r}")
    message = exc.message_zh if zh else exc.message_en
    return {label(n): message for n in exc.fields} or {label("form"): message}
