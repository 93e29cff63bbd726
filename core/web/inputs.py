"""Input limits shared by every route: ids in paths, NUL characters, JSON nesting and number ranges.

The one place where outside text is checked before a handler (or the database) sees it:

* ``{name:int}`` in a route path is a database id: 1..2^63-1 (a signed 64-bit integer, the largest key
  both SQLite and PostgreSQL store). Anything else does not match the route, so it answers the standard
  404 instead of overflowing a driver; ``{name}`` is one segment of at most 200 characters. Registered
  for every Starlette route when this module is imported.
* ``InputMiddleware`` refuses a NUL character in the path or the query string (PostgreSQL cannot store
  NUL in text) with the standard 422, before tenant resolution or authentication.
* ``check_json(data)`` bounds a decoded JSON document: nesting depth, integers within 64 bits, no NUL in
  keys or strings; ``check_form(form)`` refuses NUL in form fields and uploaded file names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from core.errors import Invalid

ID_MIN = 1
ID_MAX = 2**63 - 1  # signed BIGINT on PostgreSQL, INTEGER on SQLite
INT_MIN = -(2**63)
MAX_JSON_DEPTH = 32
NUL = "\x00"


def _up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 1..limit, without leading zeros."""
    digits = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, d in enumerate(digits):  # same length: equal prefix, one smaller digit, then anything
        low = 1 if i == 0 else 0
        if int(d) > low:
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{low}-{int(d) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConvertor(Convertor[int]):
    """``{x:int}``: a database id, 1..2^63-1. The bound is in the pattern, so an id beyond it simply
    does not match (404) rather than reaching the database."""

    regex = _up_to(ID_MAX)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        value = int(value)
        if not ID_MIN <= value <= ID_MAX:
            raise ValueError(f"id out of range: {value}")
        return str(value)


MAX_SEGMENT = 200  # characters of a text path parameter (an item code, a subject code, a chart)


class SegmentConvertor(Convertor[str]):
    """``{x}`` / ``{x:str}``: one path segment of 1..200 characters; a longer one matches no route."""

    regex = f"[^/]{{1,{MAX_SEGMENT}}}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("int", IdConvertor())
register_url_convertor("id", IdConvertor())
register_url_convertor("str", SegmentConvertor())


def _nul_refused(name: str) -> Invalid:
    return Invalid(f"{name} contains a NUL character", f"{name} 含有不允许的空字符（NUL）",
                   code="nul_character", fields={name: "NUL character (\\u0000) is not allowed"})


def check_text(value: str, name: str) -> str:
    """``value`` unchanged, or 422 naming ``name`` when it holds a NUL character."""
    if NUL in value:
        raise _nul_refused(name)
    return value


def check_pairs(pairs: Iterable[tuple[str, Any]], what: str = "") -> None:
    """Refuse NUL in the names and text values of (name, value) pairs (a query string, a form)."""
    for key, value in pairs:
        name = f"{what}{key}" if NUL not in key else what.rstrip(".") or "name"
        if NUL in key:
            raise _nul_refused(name)
        if isinstance(value, str):
            check_text(value, name)
        else:
            filename = getattr(value, "filename", None)  # an uploaded file: its name is text we store
            if isinstance(filename, str):
                check_text(filename, f"{name}.filename")


def check_form(form: Any) -> Any:
    """The parsed form unchanged, or 422 naming the first field or file name that holds a NUL."""
    check_pairs(form.multi_items())
    return form


def check_json(data: Any) -> Any:
    """``data`` unchanged, or 422 naming the place that is too deep, out of range or holds a NUL.

    Iterative, so no document can exhaust the interpreter's stack here."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        name = where or "body"
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise Invalid(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels",
                              f"JSON 请求体嵌套超过 {MAX_JSON_DEPTH} 层", code="too_deep",
                              fields={name: f"nested deeper than {MAX_JSON_DEPTH} levels"})
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, sub in items:
                if isinstance(key, str) and NUL in key:
                    raise _nul_refused(name)
                stack.append((sub, f"{where}.{key}" if where else str(key), depth + 1))
        elif isinstance(value, str):
            check_text(value, name)
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= ID_MAX:
            raise Invalid(f"{name} is out of range", f"{name} 超出允许范围", code="out_of_range",
                          fields={name: "out of the 64-bit integer range"})
    return data


class InputMiddleware:
    """Refuse a NUL character in the path or the query string (422, the standard error shape), before
    any tenant lookup, authentication or handler reads them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = _problem(scope)
            if problem is not None:
                from core.web.errors import error_response

                request = Request(scope, receive)
                response = error_response(request, 422, problem.code, problem.message_en,
                                          problem.message_zh, problem.fields)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _problem(scope: Scope) -> Invalid | None:
    try:
        if NUL in scope["path"]:
            raise _nul_refused("path")
        raw: bytes = scope.get("query_string", b"")
        if raw and (b"%00" in raw or b"\x00" in raw):
            check_pairs(parse_qsl(raw.decode("latin-1"), keep_blank_values=True), "")
            raise _nul_refused("query")  # e.g. a NUL in a malformed pair parse_qsl skipped
    except Invalid as exc:
        return exc
    return None
