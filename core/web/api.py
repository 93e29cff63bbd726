"""Conventions every JSON endpoint follows: validated bodies, one error shape, cursor pagination, docs.

* ``await parse_body(request, Model)``: the JSON body as a pydantic model. Malformed JSON answers 400
  ``malformed_json``; a body that does not fit the model answers 422 ``invalid`` with ``fields`` naming
  each bad field (``{"error": {"code", "message", "fields"}}``, mapped in core.web.errors).
* ``page_params(request)`` + ``paginate(session, stmt, params, key=[...])``: keyset pagination over a
  sort key that ends in a unique column; ``?cursor=...&limit=...`` -> ``{"items": [...], "next_cursor"}``.
  The cursor is opaque (base64url JSON of the last row's key) and validated: a bad one is 422 on ``cursor``.
* ``json_ok(data, status=200)``: a JSON response; pydantic models, dates and decimals serialised.
* ``@api_doc(request=Model, response=Model, summary=...)``: what /api/openapi.json says about a route.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from core.errors import DomainError, Invalid

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=Callable[..., Any])

MAX_BODY_BYTES = 1024 * 1024


class MalformedJSON(DomainError):
    status = 400
    code = "malformed_json"


class BodyTooLarge(DomainError):
    status = 413
    code = "body_too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


# -- bodies --------------------------------------------------------------------------------------------

def validation_fields(exc: ValidationError) -> dict[str, str]:
    """{dotted field path: message} for each error; ``body`` when the body as a whole is wrong."""
    fields: dict[str, str] = {}
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or "body"
        fields.setdefault(name, err["msg"])
    return fields


async def parse_body(request: Request, model: type[M], *, max_bytes: int = MAX_BODY_BYTES) -> M:
    """Read the request's JSON body into ``model``; raises the API's 400/413/415/422 errors."""
    ctype = request.headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise UnsupportedMediaType(f"Send the body as application/json, not {ctype}",
                                   f"请求体须为 application/json 格式，而不是 {ctype}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"The body is larger than {max_bytes} bytes", f"请求体超过 {max_bytes} 字节")
    raw = await request.body()
    if len(raw) > max_bytes:
        raise BodyTooLarge(f"The body is larger than {max_bytes} bytes", f"请求体超过 {max_bytes} 字节")
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"The body is not valid JSON: {exc}", "请求体不是有效的 JSON",
                            fields={"body": str(exc)}) from None
    return validate(model, data)


def validate(model: type[M], data: Any) -> M:
    """``model.model_validate(data)`` with the API's 422 error on failure (also for query models)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid("The request has invalid fields", "提交的内容有误，请检查标出的字段",
                      fields=validation_fields(exc)) from None


def json_ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response for ``data`` (pydantic models, dataclasses, dates and decimals allowed)."""
    return JSONResponse(to_jsonable_python(data, by_alias=True), status_code=status, headers=headers)


# -- pagination ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageParams:
    limit: int
    after: tuple[Any, ...] | None = None


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self, item: Callable[[Any], Any] = lambda x: x) -> dict[str, Any]:
        return {"items": [item(i) for i in self.items], "next_cursor": self.next_cursor, **self.extra}


def page_params(request: Request, *, default_limit: int = 20, max_limit: int = 100) -> PageParams:
    """``?limit=`` (1..max_limit) and ``?cursor=`` from the query string; 422 naming the bad one."""
    raw_limit = request.query_params.get("limit")
    limit = default_limit
    if raw_limit is not None:
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= max_limit:
            raise Invalid(f"limit must be a whole number from 1 to {max_limit}",
                          f"limit 须为 1 到 {max_limit} 之间的整数", fields={"limit": f"1..{max_limit}"})
        limit = int(raw_limit)
    cursor = request.query_params.get("cursor")
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


def _enc(value: Any) -> Any:
    # datetime before date: a datetime is a date too.
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


_PARSERS: dict[str, Callable[[str], Any]] = {"dt": datetime.fromisoformat, "d": date.fromisoformat,
                                             "dec": Decimal}


def _dec(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        parse = _PARSERS.get(tag)
        if parse is None or not isinstance(text, str):
            raise ValueError("unknown tag")
        return parse(text)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("bad value")


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps([_enc(v) for v in key], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    """The key a cursor carries; 422 naming ``cursor`` when it is not one we issued."""
    try:
        if len(cursor) > 1000:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or not values:
            raise ValueError("not a key")
        return tuple(_dec(v) for v in values)
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        raise Invalid("cursor is not valid: use next_cursor from the previous page",
                      "cursor 参数无效，请使用上一页返回的 next_cursor",
                      fields={"cursor": "invalid cursor"}) from None


def paginate(session: Session, stmt: Select[Any], params: PageParams, *, key: Sequence[Any],
             desc: bool = False, scalars: bool = True,
             key_of: Callable[[Any], Sequence[Any]] | None = None) -> Page:
    """One page of ``stmt`` ordered by ``key`` (columns; the last must be unique, e.g. the id).

    Keyset, not OFFSET: page 10,000 costs what page 1 costs. ``scalars`` returns ORM objects (else Rows);
    ``key_of(item)`` reads the key back from an item (default: the columns' attribute names).
    """
    if params.after is not None:
        if len(params.after) != len(key):
            raise Invalid("cursor does not belong to this list", "cursor 参数与此列表不符",
                          fields={"cursor": "invalid cursor"})
        row_key = tuple_(*key)
        stmt = stmt.where(row_key < tuple_(*params.after) if desc else row_key > tuple_(*params.after))
    stmt = stmt.order_by(*[c.desc() if desc else c.asc() for c in key]).limit(params.limit + 1)
    result = session.scalars(stmt) if scalars else session.execute(stmt)
    items = list(result.all())
    more = len(items) > params.limit
    items = items[: params.limit]
    if not more or not items:
        return Page(items, None)
    names = [str(getattr(c, "key", None) or getattr(c, "name", "")) for c in key]
    last = items[-1]
    values = key_of(last) if key_of else [_attr(last, n) for n in names]
    return Page(items, encode_cursor(values))


def _attr(item: Any, name: str) -> Any:
    mapping = getattr(item, "_mapping", None)
    if mapping is not None and name in mapping:
        return mapping[name]
    return getattr(item, name)


# -- documentation -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApiDoc:
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    summary: str = ""
    status: int = 200
    query: type[BaseModel] | None = None
    paginated: bool = False  # the response is {"items": [response], "next_cursor": ...}
    tags: tuple[str, ...] = ()


def api_doc(*, request: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
            summary: str = "", status: int = 200, query: type[BaseModel] | None = None,
            paginated: bool = False, tags: Sequence[str] = ()) -> Callable[[E], E]:
    """Record what an endpoint takes and returns for /api/openapi.json. Order with ``require`` does not
    matter (``require`` copies the endpoint's attributes)."""

    def decorate(endpoint: E) -> E:
        endpoint.__govhall_api__ = ApiDoc(request, response, summary, status, query,  # type: ignore[attr-defined]
                                          paginated, tuple(tags))
        return endpoint

    return decorate


def doc_of(endpoint: Any) -> ApiDoc | None:
    return getattr(endpoint, "__govhall_api__", None)
