"""Rendering: one Jinja2 environment over core and plugin templates, JSON and error responses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from core.web.i18n import Catalogue
from core.web.security import url_filter
from core.web.stacked import stacked

CORE_TEMPLATES = Path(__file__).parent / "templates"
# A <style> element without a nonce. Autoescaping turns any "<" in data into "&lt;", so only a template or
# Markup built by code (pygal's chart styles) can produce one; core.web.security's CSP admits it by nonce.
_STYLE_TAG = re.compile(r"<style\b(?![^>]*\bnonce=)")


class Renderer:
    def __init__(self, template_dirs: list[Path], locale_dirs: list[Path],
                 timezone: str = "Asia/Shanghai") -> None:
        self.catalogue = Catalogue(locale_dirs)
        self.zone = ZoneInfo(timezone)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(CORE_TEMPLATES), *map(str, template_dirs)]),
            autoescape=jinja2.select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            auto_reload=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=self._gettext, ngettext=self._ngettext, newstyle=True
        )
        # ``_("…")`` straight to the catalogue: the i18n extension's ``_`` goes through an alias and the
        # newstyle wrapper (three context calls a string; 31 strings made a quarter of the workbench's
        # render, issue #14). Same answer: a Markup of the translation, formatted with the escaped
        # variables — "%" formatting only where there is a "%", which leaves every other string as is.
        self.env.globals["_"] = self._underscore
        self.env.filters["localtime"] = self.localtime
        self.env.filters["safe_url"] = url_filter  # every stored URL put into href/src/action
        # Names for codes (core.labels): ``{{ card.object_type | label }}``, ``{{ entry.action | action }}``.
        self.env.filters["label"] = self._label
        self.env.filters["action"] = self._action
        self.env.filters["target"] = self._target
        self.env.filters["actor"] = self._actor
        self.env.filters["stacked"] = stacked  # {% filter stacked %}<table>…{% endfilter %}: cards on a phone
        self.env.filters["named"] = self._named  # {{ facts | named("approval") }}: [(name, value)]

    def localtime(self, value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A stored time (UTC: aware, naive from SQLite, or ISO text) as people read it here: in the
        configured zone (Asia/Shanghai by default), not in the server's UTC."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self.zone).strftime(fmt)

    @staticmethod
    def _owner(context: jinja2.runtime.Context) -> str:
        """The plugin whose template is rendering (templates live in ``templates/<plugin>/``)."""
        name = context.name or ""
        return name.split("/", 1)[0] if "/" in name else ""

    @staticmethod
    def _labels(context: jinja2.runtime.Context) -> Any:
        return context["ctx"].platform.registry.labels

    @jinja2.pass_context
    def _label(self, context: jinja2.runtime.Context, key: str, plugin: str = "") -> str:
        lang = context.get("lang", "zh-CN")
        return str(self._labels(context).name(str(key), lang, plugin or self._owner(context)))

    @jinja2.pass_context
    def _action(self, context: jinja2.runtime.Context, action: str) -> str:
        return str(self._labels(context).action(str(action), context.get("lang", "zh-CN")))

    @jinja2.pass_context
    def _named(self, context: jinja2.runtime.Context, details: Any,
               plugin: str = "") -> list[tuple[str, str]]:
        labels = self._labels(context)
        return list(labels.details(details, context.get("lang", "zh-CN"), plugin or self._owner(context)))

    @jinja2.pass_context
    def _actor(self, context: jinja2.runtime.Context, actor: str) -> str:
        return str(self._labels(context).actor(str(actor), context.get("lang", "zh-CN")))

    @jinja2.pass_context
    def _target(self, context: jinja2.runtime.Context, target: str) -> str:
        return str(self._labels(context).target(str(target), context.get("lang", "zh-CN")))

    @jinja2.pass_context
    def _gettext(self, context: jinja2.runtime.Context, message: str, **kwargs: Any) -> str:
        lang = context.get("lang", "zh-CN")
        text = self.catalogue.gettext(lang, message, self._owner(context))
        return text % kwargs if kwargs else text

    @jinja2.pass_context
    def _underscore(self, context: jinja2.runtime.Context, message: str, **variables: Any) -> str:
        text = self.catalogue.gettext(context.get("lang", "zh-CN"), message, self._owner(context))
        rv: str = Markup(text) if context.eval_ctx.autoescape else text
        return rv % variables if "%" in text else rv

    @jinja2.pass_context
    def _ngettext(self, context: jinja2.runtime.Context, singular: str, plural: str, n: int,
                  **kw: Any) -> str:
        lang = context.get("lang", "zh-CN")
        text = self.catalogue.gettext(lang, singular if n == 1 else plural, self._owner(context))
        return text % {"num": n, **kw}

    def page(self, request: Request, template: str, context: dict[str, Any] | None = None,
             status: int = 200) -> HTMLResponse:
        ctx = request.state.ctx
        values = {
            "request": request, "ctx": ctx, "lang": ctx.lang, "tenant": ctx.tenant, "actor": ctx.actor,
            "_t": lambda m: self.catalogue.gettext(ctx.lang, m),
            "time_zone": self.zone.key,  # the zone the localtime filter shows times in
            "csp_nonce": request.scope.get("state", {}).get("csp_nonce", ""),
            "can": lambda permission, where=None: can(ctx, permission, where), **(context or {}),
        }
        html = self.env.get_template(template).render(values)
        if "<style" in html:  # only Markup from code can hold one (charts): it gets the CSP nonce
            html = _STYLE_TAG.sub(f'<style nonce="{values["csp_nonce"]}"', html)
        return HTMLResponse(html, status_code=status)

    def t(self, request: Request, message: str) -> str:
        return self.catalogue.gettext(request.state.ctx.lang, message)


def can(ctx: Any, permission: Any, where: Any = None) -> bool:
    """Whether the request's actor holds ``permission`` (a Permission or its name) at ``where`` (a
    tenant, a tenant code, or None for the request's tenant).

    Templates call it as ``can(...)`` around every link to a page that needs a permission the page
    itself did not, so nobody is offered a link that answers 403 (tests/core/web/test_links_sweep.py
    walks every demo account through the demo and fails on such a link).
    """
    name = getattr(permission, "name", permission)
    tenant = ctx.tenant if where is None else where
    if isinstance(tenant, str):
        tenant = ctx.platform.directory.get(tenant)
    if tenant is None:
        return False
    return bool(ctx.platform.access.check(ctx.actor, tenant, name).allowed)


def json_error(status: int, code: str, message: str, fields: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape of the API: ``{"error": {"code", "message", "fields"}}``."""
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or {}}},
                        status_code=status, headers=headers)


def renderer_of(request: Request) -> Renderer:
    renderer = request.state.ctx.platform.renderer
    if renderer is None:
        raise RuntimeError("no renderer: pages render inside the app built by core.app.create_app")
    return renderer  # type: ignore[no-any-return]


def translate(request: Request, message: str) -> str:
    """``message`` (English msgid) in the request's language, from the installed catalogues."""
    return renderer_of(request).t(request, message)


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200) -> Response:
    return renderer_of(request).page(request, template, context, status)
