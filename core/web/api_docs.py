"""One OpenAPI 3.1 document for the installed plugins at /api/openapi.json, and an offline docs page.

Built once per app from every installed plugin's ``govhall_api_routes`` (paths as
``/api/t/{tenant_code}/<plugin>/...``, one tag per plugin) plus core JSON routes under ``/api/`` that
carry ``@api_doc``. Schemas come from the pydantic models named in ``@api_doc``; each operation's
description ends with the permission its ``require`` declares. /api/docs renders the same document as
server-side HTML: no JavaScript, no CDN, so it works on an offline government network.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from core.access.guard import public, required_permission
from core.identity.sessions import SESSION_COOKIE
from core.web.api import MAX_CURSOR, ApiDoc, doc_of
from core.web.inputs import ID_MAX, ID_MIN, MAX_SEGMENT
from core.web.render import render, renderer_of

_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-z]+))?}")
_CONVERTOR_TYPES = {"int": "integer", "float": "number", "str": "string", "path": "string", "uuid": "string"}
_ERRORS = {
    "400": "Malformed request (e.g. malformed_json) / 请求格式错误",
    "401": "Not logged in / 未登录",
    "403": "Permission missing here / 无权限",
    "404": "Not found, or the plugin is not enabled at this tenant / 不存在或本地未开通",
    "405": "Method not allowed; the Allow header names the methods / 不支持的请求方式",
    "409": "Concurrent change or wrong state / 冲突",
    "413": "Body too large / 请求体过大",
    "415": "Body not sent as the documented media type / 请求体格式不支持",
    "422": "Invalid fields, named in error.fields (also NUL characters, nesting, ranges) / 字段校验失败",
    "429": "Too many attempts; try again later / 尝试次数过多",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
    }},
}


def _owner_prefix(module: str) -> str:
    """``plugins.bidding.schemas`` -> ``Bidding``; ``core.web.hall_api`` -> ``Core``; a vendor's package
    -> its top-level name."""
    parts = module.split(".")
    name = parts[1] if parts[0] == "plugins" and len(parts) > 1 else parts[0]
    return "".join(p.title() for p in name.split("_"))


def _rewrite(node: Any, renames: dict[str, str]) -> Any:
    """``node`` with every ``$ref`` to a renamed component pointing at its new name."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.rsplit("/", 1)[-1] in renames:
                v = "#/components/schemas/" + renames[v.rsplit("/", 1)[-1]]
            out[k] = _rewrite(v, renames)
        return out
    if isinstance(node, list):
        return [_rewrite(v, renames) for v in node]
    return node


class _Builder:
    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.paths: dict[str, dict[str, Any]] = {}
        self.schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}

    def put(self, name: str, schema: Any) -> bool:
        """Register a component schema under ``name``; False when another, different schema has it."""
        have = self.schemas.get(name)
        if have is None:
            self.schemas[name] = schema
        return have is None or have == schema

    def register(self, model: type[BaseModel], schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Put ``schema`` (of ``model``) and the schemas nested in it; the component name of ``model`` and
        its schema as stored.

        Components are keyed by class name across the core and every plugin, and two different models
        with one name used to share the first one's schema silently (bidding's and exchange's ``AnswerIn``
        were documented as agriculture's). A name already taken by a different schema gets its owner's
        prefix (``Bidding`` + ``AnswerIn``; a core model ``Core``), and every reference to it inside this
        schema is rewritten, so the document stays true whatever names a vendor chooses."""
        prefix = _owner_prefix(model.__module__)
        defs: dict[str, Any] = schema.pop("$defs", {})
        names = {n: (n if self.schemas.get(n, sub) == sub else prefix + n) for n, sub in defs.items()}
        top = model.__name__
        if self.schemas.get(top, schema) != schema:
            names[top] = prefix + top
        renames = {n: final for n, final in names.items() if final != n}
        if renames:
            schema, defs = _rewrite(schema, renames), {n: _rewrite(d, renames) for n, d in defs.items()}
        for n, sub in defs.items():
            self.put(names[n], sub)
        final = names.get(top, top)
        if not self.put(final, schema):  # the prefixed name taken too: number it
            k = 2
            while not self.put(f"{final}{k}", schema):
                k += 1
            final = f"{final}{k}"
        return final, schema

    def model_ref(self, model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                         mode=mode)  # type: ignore[arg-type]
        return {"$ref": f"#/components/schemas/{self.register(model, schema)[0]}"}

    def walk(self, routes: list[BaseRoute], prefix: str, tag: str, plugin_base: bool) -> None:
        for route in routes:
            if isinstance(route, Mount):
                self.walk(list(route.routes), prefix + route.path, tag, plugin_base)
            elif isinstance(route, Route):
                if not plugin_base and doc_of(route.endpoint) is None:
                    continue  # core routes are listed only when documented
                self.add(prefix + route.path, route, tag)

    def add(self, raw_path: str, route: Route, tag: str) -> None:
        path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", raw_path)
        doc = doc_of(route.endpoint) or ApiDoc()
        declared = doc.path.model_json_schema()["properties"] if doc.path is not None else {}
        params = [{"name": m.group(1), "in": "path", "required": True,
                   "schema": self.path_schema(m.group(2) or "str", declared.get(m.group(1)))}
                  for m in _PARAM.finditer(raw_path)]
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            self.paths.setdefault(path, {})[method.lower()] = self.operation(route, method, tag, params)

    @staticmethod
    def path_schema(convertor: str, declared: dict[str, Any] | None) -> dict[str, Any]:
        if convertor == "int":  # core.web.inputs.IdConvertor: the route matches ids in this range only
            return {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX}
        if declared is not None:
            return {k: v for k, v in declared.items() if k != "title"}
        return {"type": _CONVERTOR_TYPES.get(convertor, "string"), "minLength": 1, "maxLength": MAX_SEGMENT}

    def operation(self, route: Route, method: str, tag: str, params: list[dict[str, Any]]) -> dict[str, Any]:
        endpoint = route.endpoint
        doc = doc_of(endpoint) or ApiDoc()
        lines = (endpoint.__doc__ or "").strip().splitlines()
        summary = doc.summary or (lines[0].strip() if lines else route.name)
        description = "\n".join(line.strip() for line in lines[1:]).strip()
        op: dict[str, Any] = {
            "tags": [tag, *doc.tags], "summary": summary,
            "operationId": f"{tag}.{route.name}.{method.lower()}",
            "description": (description + "\n\n" if description else "") + self.permission_text(endpoint),
            "parameters": [*params, *self.query_params(doc)],
            "responses": self.responses(doc),
        }
        if doc.request is not None:
            op["requestBody"] = {"required": True,
                                 "content": {doc.request_media: {"schema": self.model_ref(doc.request)}}}
        return op

    def permission_text(self, endpoint: Any) -> str:
        perm = required_permission(endpoint)
        if not perm:
            return "Permission: none (public). 权限：无（公开）。"
        known = self.platform.registry.permissions.get(perm)
        titles = f" ({known.title_zh} / {known.title_en})" if known else ""
        return f"Permission: `{perm}`{titles} at the tenant in the path. 所需权限：`{perm}`。"

    def query_params(self, doc: ApiDoc) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if doc.query is not None:
            schema = doc.query.model_json_schema(ref_template="#/components/schemas/{model}")
            if schema.get("$defs"):  # nested models (enums): registered, references made true
                schema = self.register(doc.query, schema)[1]
            required = set(schema.get("required", []))
            for name, prop in schema.get("properties", {}).items():
                param = {"name": name, "in": "query", "required": name in required,
                         "schema": {k: v for k, v in prop.items() if k not in ("title", "description")}}
                if prop.get("description"):
                    param["description"] = prop["description"]
                out.append(param)
        if doc.paginated:  # unless the query model already declares them (a name may appear once)
            names = {p["name"] for p in out}
            default, most = doc.page_limit
            if "cursor" not in names:
                out.append({"name": "cursor", "in": "query", "required": False,
                            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR},
                            "description": "next_cursor of the previous page / 上一页的 next_cursor"})
            if "limit" not in names:
                out.append({"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": most, "default": default}})
        return out

    def responses(self, doc: ApiDoc) -> dict[str, Any]:
        ok: dict[str, Any] = {"description": "OK"}
        model = doc.response_model
        if model is not None:
            ok["content"] = {"application/json": {"schema": self.model_ref(model, "serialization")}}
        out: dict[str, Any] = {str(doc.status): ok}
        for code, other in doc.others:
            out[str(code)] = {"description": "OK", "content": {"application/json": {
                "schema": self.model_ref(other, "serialization")}}}
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for status, text in _ERRORS.items():
            out[status] = {"description": text, "content": error}
        return out


def build_openapi(platform: Any, app_routes: list[BaseRoute] | None = None) -> dict[str, Any]:
    """The OpenAPI document for the installed plugins (and documented core JSON routes)."""
    b = _Builder(platform)
    tags = []
    for plugin, routes in sorted(platform.registry.declared("govhall_api_routes").items()):
        if not routes:
            continue
        info = platform.registry.plugins[plugin].info
        tags.append({"name": plugin, "description": f"{info.title_zh} / {info.title_en}"})
        b.walk(list(routes), "/api/t/{tenant_code}/" + plugin, plugin, plugin_base=True)
    core_routes = [r for r in app_routes or [] if isinstance(r, Route) and r.path.startswith("/api/")
                   and not r.path.startswith("/api/t/")]
    if core_routes:
        tags.insert(0, {"name": "core", "description": "网上办事大厅核心 / Core"})
        b.walk(list(core_routes), "", "core", plugin_base=False)
    tenant_param = {"name": "tenant_code", "in": "path", "required": True,
                    "description": "Administrative division code of the hall, e.g. 360102 / 行政区划代码",
                    "schema": {"type": "string", "pattern": "^[0-9]{6,12}$"}}
    for path, ops in b.paths.items():
        if "{tenant_code}" in path:
            for op in ops.values():
                rest = [p for p in op["parameters"] if p["name"] != "tenant_code"]
                op["parameters"] = [tenant_param, *rest]
    return {
        "openapi": "3.1.0",
        "info": {"title": "govhall API / 网上办事大厅接口", "version": _version(),
                 "description": "JSON API of the installed plugins. Errors: "
                                "{\"error\": {\"code\", \"message\", \"fields\"}}. Lists page by cursor."},
        "tags": tags,
        "paths": dict(sorted(b.paths.items())),
        "components": {"schemas": dict(sorted(b.schemas.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "session": {"type": "apiKey", "in": "cookie",
                                                                   "name": SESSION_COOKIE}}},
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govhall")
    except PackageNotFoundError:
        return "0"


def document(request: Request) -> dict[str, Any]:
    """Built on first use and kept: routes are fixed once the app is built."""
    platform = request.state.ctx.platform
    doc = platform.openapi
    if doc is None:
        doc = platform.openapi = build_openapi(platform, list(request.app.routes))
    return doc  # type: ignore[no-any-return]


@public
async def openapi_json(request: Request) -> Response:
    return JSONResponse(document(request))


_MARKDOWN = MarkdownIt("commonmark", {"html": False})  # raw HTML in a docstring is shown, never run


def markdown(text: str) -> Markup:
    """A summary or description as people read it: `code`, *emphasis* and lists rendered (markdown-it,
    raw HTML escaped), not shown as backticks (issue #13 item 14)."""
    return Markup(_MARKDOWN.render(text))  # noqa: S704 (markdown-it escapes; html is off)


def _inline(text: str) -> Markup:
    html = _MARKDOWN.renderInline(text)
    return Markup(html)  # noqa: S704 (markdown-it escapes; html is off)


@public
async def docs_page(request: Request) -> Response:
    """The docs in the reader's language: each summary through its plugin's catalogue (Chinese first,
    the English beside it), descriptions as rendered markdown."""
    ctx = request.state.ctx
    catalogue = renderer_of(request).catalogue
    doc = document(request)
    by_tag: dict[str, list[dict[str, Any]]] = {t["name"]: [] for t in doc["tags"]}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            tag = op["tags"][0]
            local = catalogue.gettext(ctx.lang, op["summary"], "" if tag == "core" else tag)
            by_tag.setdefault(tag, []).append({
                "path": path, "method": method.upper(), **op,
                "summary_html": _inline(local),
                "summary_en": _inline(op["summary"]) if local != op["summary"] else None,
                "description_html": markdown(op["description"]),
            })
    schemas = doc["components"]["schemas"]
    return render(request, "api_docs.html",
                  {"doc": doc, "by_tag": by_tag, "schemas": schemas,
                   "schema_notes": {name: _inline(s.get("description", "")) for name, s in schemas.items()}})


def routes() -> list[BaseRoute]:
    return [
        Route("/api/openapi.json", openapi_json, methods=["GET"], name="openapi"),
        Route("/api/docs", docs_page, methods=["GET"], name="api_docs"),
    ]
