"""Conventions every JSON endpoint follows: validated input, one error shape, cursor pagination, and
responses shaped by their declared models.

* ``await parse_body(request, Model)``: the JSON body as a pydantic model. Malformed JSON answers 400
  ``malformed_json``; a body that does not fit the model answers 422 ``invalid`` with ``fields`` naming
  each bad field (``{"error": {"code", "message", "fields"}}``, mapped in core.web.errors). Depth, NUL
  and integer range are bounded first (core.web.inputs).
* ``parse_query(request)`` / ``parse_path(request)``: query and path parameters as the route's declared
  models; ``{x:int}`` path ids are 1..2^63-1 by the route pattern itself.
* ``page_params(request)`` + ``paginate(session, stmt, params, key=[...])``: keyset pagination over a
  sort key that ends in a unique column; ``?cursor=...&limit=...`` -> ``{"items": [...], "next_cursor"}``.
  The cursor is opaque (base64url JSON of the last row's key) and validated: a bad one is 422 on ``cursor``.
* ``@api_doc(request=, response=, query=, paginated=, ...)``: what /api/openapi.json says about a route,
  and the model its result is validated and serialised by (``OutModel`` forbids undeclared fields).
* ``json_ok(data, status=200)``: a JSON response for routes without a response model.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar, overload

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model
from pydantic_core import to_jsonable_python
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.errors import DomainError, Invalid, NotFound
from core.web.inputs import ID_MAX, ID_MIN, MAX_JSON_DEPTH, check_json
from core.web.limits import MAX_BODY_BYTES, BodyTooLarge

M = TypeVar("M", bound=BaseModel)
# A database id in a body or query: the same range as ``{x:int}`` in a path (core.web.inputs).
Id = Annotated[int, Field(ge=ID_MIN, le=ID_MAX)]
E = TypeVar("E", bound=Callable[..., Any])

MAX_CURSOR = 1000  # characters; a cursor we issue is a few dozen


class MalformedJSON(DomainError):
    status = 400
    code = "malformed_json"


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


async def read_json(request: Request, *, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON body, decoded and bounded (core.web.inputs.check_json: depth, NUL, integer
    range); raises the API's 400/413/415/422 errors. An empty body is ``{}``."""
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not ctype and not _has_body(request):
        return {}  # nothing sent (e.g. a bodiless action by a bearer-token client): an empty object
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise UnsupportedMediaType(f"Send the body as application/json, not {ctype or 'no Content-Type'}",
                                   f"请求体须为 application/json 格式，而不是 {ctype or '未声明的类型'}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"The body is larger than {max_bytes} bytes", f"请求体超过 {max_bytes} 字节")
    raw = await request.body()
    if len(raw) > max_bytes:
        raise BodyTooLarge(f"The body is larger than {max_bytes} bytes", f"请求体超过 {max_bytes} 字节")
    try:
        data = json.loads(raw, parse_constant=_no_constant) if raw.strip() else {}
    except RecursionError:  # deeper than the decoder's own stack allows: far beyond our bound
        raise Invalid(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels",
                      f"JSON 请求体嵌套超过 {MAX_JSON_DEPTH} 层", code="too_deep",
                      fields={"body": f"nested deeper than {MAX_JSON_DEPTH} levels"}) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"The body is not valid JSON: {exc}", "请求体不是有效的 JSON",
                            fields={"body": str(exc)}) from None
    return check_json(data)


def _has_body(request: Request) -> bool:
    """Whether the request declares a body: a non-zero Content-Length or a chunked one. A body without a
    Content-Type is refused (415): it used to be read as JSON, which let a cross-site "simple" request
    through (issue #10 item 5)."""
    length = request.headers.get("content-length", "")
    return (length.isdigit() and int(length) > 0) or "transfer-encoding" in request.headers


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def parse_body(request: Request, model: type[M], *, max_bytes: int = MAX_BODY_BYTES) -> M:
    """Read the request's JSON body into ``model``; raises the API's 400/413/415/422 errors."""
    return validate(model, await read_json(request, max_bytes=max_bytes))


@overload
def parse_query(request: Request) -> Any: ...


@overload
def parse_query(request: Request, model: type[M]) -> M: ...


def parse_query(request: Request, model: type[M] | None = None) -> Any:
    """The query string as ``model`` — by default the route's ``@api_doc(query=...)``, the model that
    /api/openapi.json documents — with 422 naming each bad parameter. The model declares types, ranges
    and which are required; NUL was refused before routing (core.web.inputs.InputMiddleware)."""
    if model is None:
        doc = doc_of(request.scope.get("endpoint"))
        if doc is None or doc.query is None:
            raise TypeError("parse_query(request) needs @api_doc(query=...) on the route")
        model = doc.query  # type: ignore[assignment]
    assert model is not None
    return validate(model, dict(request.query_params))


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


def query_id(request: Request, name: str) -> int | None:
    """An optional id in the query string (``?before=123``): 1..2^63-1, else 422 naming ``name``."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 19 or not ID_MIN <= int(raw) <= ID_MAX:
        raise Invalid(f"{name} must be an id from 1 to {ID_MAX}", f"{name} 须为 1 到 {ID_MAX} 之间的编号",
                      fields={name: f"{ID_MIN}..{ID_MAX}"})
    return int(raw)


def page_params(request: Request, *, default_limit: int | None = None,
                max_limit: int | None = None) -> PageParams:
    """``?limit=`` and ``?cursor=`` from the query string; 422 naming the bad one.

    The bounds come from the route's ``@api_doc(page_limit=(default, max))`` — the same numbers
    /api/openapi.json declares — else from the arguments (pages), else 20 and 100."""
    doc = doc_of(request.scope.get("endpoint"))
    default, most = doc.page_limit if doc is not None and doc.paginated else (default_limit or 20,
                                                                                 max_limit or 100)
    raw_limit = request.query_params.get("limit")
    limit = default
    if raw_limit is not None:
        if not raw_limit.isdigit() or len(raw_limit) > 6 or not 1 <= int(raw_limit) <= most:
            raise Invalid(f"limit must be a whole number from 1 to {most}",
                          f"limit 须为 1 到 {most} 之间的整数", fields={"limit": f"1..{most}"})
        limit = int(raw_limit)
    cursor = request.query_params.get("cursor")
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


def _bad_cursor(why: str = "invalid cursor") -> Invalid:
    return Invalid("cursor is not valid: use next_cursor from the previous page",
                   "cursor 参数无效，请使用上一页返回的 next_cursor", fields={"cursor": why})


def cursor_key(params: PageParams, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The cursor's key checked against the types of the sort key (e.g. ``(int,)`` for an id): a cursor
    of another list, of the wrong length or with a value of the wrong type or range is 422 on
    ``cursor`` — never a type error in the database."""
    if params.after is None:
        return None
    if len(params.after) != len(types):
        raise _bad_cursor("cursor does not belong to this list")
    for value, kind in zip(params.after, types, strict=True):
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
        if kind is date and isinstance(value, datetime):
            ok = False  # a datetime is a date too, but compares differently in SQL
        if isinstance(value, int) and not isinstance(value, bool) and not -ID_MAX - 1 <= value <= ID_MAX:
            ok = False
        if not ok:
            raise _bad_cursor(f"expected {kind.__name__} in the cursor")
    return params.after


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
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw, parse_constant=_no_constant)
        if not isinstance(values, list) or not values or len(values) > 8:
            raise ValueError("not a key")
        check_json(values)
        return tuple(_dec(v) for v in values)
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError, RecursionError, Invalid):
        raise _bad_cursor() from None


def paginate(session: Session, stmt: Select[Any], params: PageParams, *, key: Sequence[Any],
             desc: bool = False, scalars: bool = True,
             key_of: Callable[[Any], Sequence[Any]] | None = None) -> Page:
    """One page of ``stmt`` ordered by ``key`` (columns; the last must be unique, e.g. the id).

    Keyset, not OFFSET: page 10,000 costs what page 1 costs. ``scalars`` returns ORM objects (else Rows);
    ``key_of(item)`` reads the key back from an item (default: the columns' attribute names).
    """
    after = cursor_key(params, [_python_type(c) for c in key])
    if after is not None:
        row_key = tuple_(*key)
        stmt = stmt.where(row_key < tuple_(*after) if desc else row_key > tuple_(*after))
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


def _python_type(column: Any) -> type:
    try:
        kind: type = column.type.python_type
    except (AttributeError, NotImplementedError):
        return object
    return kind


def _attr(item: Any, name: str) -> Any:
    mapping = getattr(item, "_mapping", None)
    if mapping is not None and name in mapping:
        return mapping[name]
    return getattr(item, name)


# -- documentation and response shaping ------------------------------------------------------------

class OutModel(BaseModel):
    """Base of response models: unknown fields are an error, so an endpoint cannot answer more (or other)
    than /api/openapi.json says; ORM objects are read by attribute."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


@dataclass(frozen=True)
class ApiDoc:
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    summary: str = ""
    status: int = 200
    query: type[BaseModel] | None = None
    paginated: bool = False  # the response is {"items": [response], "next_cursor": ...}
    tags: tuple[str, ...] = ()
    page_limit: tuple[int, int] = (20, 100)  # default and largest ?limit= of a paginated list
    path: type[BaseModel] | None = None  # path parameters beyond ids (e.g. an action's enum)
    request_media: str = "application/json"  # or multipart/form-data for uploads
    others: tuple[tuple[int, type[BaseModel]], ...] = ()  # other success statuses and their models

    @property
    def response_model(self) -> type[BaseModel] | None:
        """What the body is validated against: the response model, or a page of it."""
        if self.response is None or not self.paginated:
            return self.response
        return page_model(self.response)


@dataclass
class Reply:
    """What an endpoint returns when it needs more than data: another status, headers, or a last touch
    on the response (a cookie). ``data`` is still shaped by the declared response model."""

    data: Any
    status: int | None = None
    headers: dict[str, str] | None = None
    finish: Callable[[Response], None] | None = None


class ResponseShapeError(RuntimeError):
    """An endpoint answered something its declared response model does not describe: a server bug."""


_PAGES: dict[type[BaseModel], type[BaseModel]] = {}


def page_model(item: type[BaseModel]) -> type[BaseModel]:
    """``{"items": [item], "next_cursor": str | null}`` as a model of its own (one per item model)."""
    if item not in _PAGES:
        _PAGES[item] = create_model(
            f"{item.__name__}Page", __base__=OutModel, __module__=item.__module__,  # the item's owner's
            items=(list[item], ...),  # type: ignore[valid-type]
            next_cursor=(str | None, Field(description="?cursor= of the next page; null at the end")),
        )
    return _PAGES[item]


def _check_closed(model: type[BaseModel]) -> None:
    schema = model.model_json_schema(mode="serialization")
    for name, sub in [(model.__name__, schema), *schema.get("$defs", {}).items()]:
        if "properties" in sub and sub.get("additionalProperties") is not False:
            raise TypeError(f"response model {name} must forbid extra fields (derive it from OutModel)")


def api_doc(*, request: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
            summary: str = "", status: int = 200, query: type[BaseModel] | None = None,
            paginated: bool = False, tags: Sequence[str] = (), page_limit: tuple[int, int] = (20, 100),
            path: type[BaseModel] | None = None, request_media: str = "application/json",
            others: dict[int, type[BaseModel]] | None = None) -> Callable[[E], E]:
    """Declare what an endpoint takes and returns: /api/openapi.json documents it, and the endpoint's
    result goes through ``response`` (a page of it when ``paginated``) on its way out, so what the
    document says is what the client gets. The endpoint returns data (a dict, a model, an ORM object) or
    a ``Reply``; a ``Response`` passes unchanged only when no response model is declared. ``others``
    maps another success status to its model (a ``Reply(status=...)`` picks it).

    Order with ``require`` does not matter (``require`` copies the endpoint's attributes)."""
    for model in [response, *(others or {}).values()]:
        if model is not None:
            _check_closed(model)
    doc = ApiDoc(request, response, summary, status, query, paginated, tuple(tags), page_limit, path,
                 request_media, tuple(sorted((others or {}).items())))

    def decorate(endpoint: E) -> E:
        adapter = TypeAdapter(doc.response_model) if doc.response_model is not None else None
        by_status = {code: TypeAdapter(model) for code, model in doc.others}

        @functools.wraps(endpoint)
        async def shaped(req: Request) -> Response:
            result = await endpoint(req)
            if isinstance(result, Response):
                if adapter is not None:
                    raise ResponseShapeError(f"{endpoint.__name__} returned a Response; return data so "
                                             "its declared response model shapes it")
                return result
            reply = result if isinstance(result, Reply) else Reply(result)
            code = reply.status or doc.status
            model = by_status.get(code, adapter)
            response_: Response
            if model is None:
                response_ = json_ok(reply.data, code, reply.headers)
            else:
                response_ = Response(shape(model, reply.data, endpoint.__name__), status_code=code,
                                     headers=reply.headers, media_type="application/json")
            if reply.finish is not None:
                reply.finish(response_)
            return response_

        shaped.__govhall_api__ = doc  # type: ignore[attr-defined]
        return shaped  # type: ignore[return-value]

    return decorate


def shape(adapter: TypeAdapter[Any], data: Any, where: str = "endpoint") -> bytes:
    """``data`` validated by the response model and serialised as JSON; a mismatch is a server error."""
    try:
        value = adapter.validate_python(data, from_attributes=True)
    except ValidationError as exc:
        raise ResponseShapeError(f"{where} answered outside its response model: {exc}") from None
    return adapter.dump_json(value, by_alias=True)


def doc_of(endpoint: Any) -> ApiDoc | None:
    return getattr(endpoint, "__govhall_api__", None)


def tenant_object(model: Any, param: str, message_en: str, message_zh: str,
                  code: str = "not_found") -> Callable[[Request], Awaitable[None]]:
    """A ``require(visible=...)`` check for a row of the request's tenant named by the path parameter
    ``param``: a row of another tenant answers exactly as a missing one (404 ``code``)."""

    async def visible(request: Request) -> None:
        ctx = request.state.ctx
        row_id = int(request.path_params[param])

        def check() -> None:
            with ctx.platform.db.session(ctx.tenant.scope) as s:
                row = s.get(model, row_id)
                if row is None or row.tenant_id != ctx.tenant.id:
                    raise NotFound(message_en, message_zh, code=code)

        await ctx.platform.db.run(check)

    return visible


def parse_path(request: Request) -> Any:
    """The route's path parameters as its declared ``@api_doc(path=...)`` model (422 naming the bad
    one); without a model, the raw parameters."""
    doc = doc_of(request.scope.get("endpoint"))
    if doc is None or doc.path is None:
        return request.path_params
    return validate(doc.path, dict(request.path_params))
