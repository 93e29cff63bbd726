"""Issue #10 items 1 and 2 at the shared mechanisms (core/web/security.py), over everything there is:

* every template (core, plugins, the scaffold's and the test vendor's): each value of an attribute that
  takes a URL starts with a fixed safe prefix (a same-site path, ``?``, ``#``, ``tel:``) or starts with
  an expression through the ``safe_url`` filter; no inline script, no event-handler attribute, no ``style=``
  and no ``<style>`` without the CSP nonce;
* every input model (core and plugins) that has a URL-like field types it ``SafeUrl``;
* every registered route, on whatever it answers (page, JSON, error, redirect, download, 405), carries
  the security headers, and the CSP forbids inline script.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from starlette.testclient import TestClient

from core.db import Scope
from core.web.security import URL_CHECK, SafeUrl, safe_url, url_filter
from tests.factories import login
from tests.routes import all_routes, demo_ids, make_superuser

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_ROOTS = [ROOT / "core", ROOT / "plugins", ROOT / "tests" / "vendor_plugin"]
URL_ATTR = re.compile(
    r"""\s(href|src|action|formaction|poster|srcset|xlink:href|background|data)\s*=\s*("[^"]*"|'[^']*')""",
    re.I)
STATEMENT = re.compile(r"{%-?.*?-?%}", re.S)
SAFE_PREFIX = re.compile(r"^(/[^/\\{]|/$|\?|#|tel:|mailto:)")
FILTERED_START = re.compile(r"^{{\s*[^{}]+\|\s*safe_url\s*}}")  # what follows cannot change the scheme
URL_FIELD = re.compile(r"(^|_)(url|href|link|uri|website|homepage)s?($|_)", re.I)


def _templates() -> list[Path]:
    out = []
    for root in TEMPLATE_ROOTS:
        out += [p for p in root.rglob("*") if p.suffix in (".html", ".tmpl", ".jinja") and p.is_file()]
    return sorted(out)


def test_url_attributes_in_every_template_are_safe_by_construction():
    templates = _templates()
    assert len(templates) > 40
    bad = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for m in URL_ATTR.finditer(text):
            value = m.group(2)[1:-1]
            literal = STATEMENT.sub("", value).strip()  # {% if %}/a{% else %}/b{% endif %} -> both paths
            if FILTERED_START.match(literal) or SAFE_PREFIX.match(literal) or literal == "":
                continue
            bad.append(f"{path.relative_to(ROOT)}: {m.group(1)}={m.group(2)}")
    assert bad == [], "a URL attribute neither starts with a fixed safe prefix nor goes through |safe_url"


def test_no_inline_script_or_style_in_any_template():
    bad = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b[^>]*>", text, re.I):
            if "src=" not in m.group(0):
                bad.append(f"{path.relative_to(ROOT)}: inline {m.group(0)}")
        for m in re.finditer(r"<style\b[^>]*>", text, re.I):
            if "csp_nonce" not in m.group(0):
                bad.append(f"{path.relative_to(ROOT)}: {m.group(0)} without the nonce")
        for m in re.finditer(r"""\s(on[a-z]+|style)\s*=\s*["']""", text, re.I):
            bad.append(f"{path.relative_to(ROOT)}: {m.group(0).strip()}")
        if re.search(r"javascript:", text, re.I):
            bad.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert bad == []


def _models() -> list[type[BaseModel]]:
    for base in ("core", "plugins"):
        package = importlib.import_module(base)
        for info in pkgutil.walk_packages(package.__path__, base + "."):
            skip = (".migrations", "scaffold_template", "__main__")
            if any(part in info.name for part in skip):
                continue
            try:
                importlib.import_module(info.name)
            except ImportError:  # optional pieces (e.g. a CLI needing extras) are not input models
                continue
    seen: list[type[BaseModel]] = []
    stack = list(BaseModel.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if cls.__module__.split(".")[0] in ("core", "plugins") and cls not in seen:
            seen.append(cls)
    return seen


def test_every_url_field_of_every_input_model_is_a_safe_url():
    from core.web.api import OutModel

    checked, bad = 0, []
    for model in _models():
        if issubclass(model, OutModel):  # responses: what was stored, checked at input and at rendering
            continue
        for name, field in model.model_fields.items():
            if not URL_FIELD.search(name):
                continue
            checked += 1
            if not any(m is URL_CHECK for m in field.metadata):
                bad.append(f"{model.__module__}.{model.__qualname__}.{name}")
    assert checked >= 1  # the catalogue's form_url at least
    assert bad == []


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example/x", "/\\evil.example",
    "\\\\evil", "http:/x", "https://", "ftp://example.com/f", "x", "example.com/form.pdf", "http://[::1",
    "\x00/x", "/x\ny",
])
def test_unsafe_urls_are_refused_at_input_and_at_rendering(value):
    class In(BaseModel):
        url: SafeUrl = ""

    with pytest.raises(ValidationError):
        In(url=value)
    assert safe_url(value) is None
    assert url_filter(value) == "#"


@pytest.mark.parametrize("value", ["https://zwfw.jiangxi.gov.cn/form.pdf", "http://example.com",
                                   "/t/360102/approval/items/X1", "/static/form.pdf?x=1#p"])
def test_safe_urls_pass(value):
    class In(BaseModel):
        url: SafeUrl = ""

    assert In(url=value).url == value
    assert url_filter(value) == value


def test_a_stored_javascript_form_url_is_refused_by_the_api_and_inert_on_the_guide_page(demo_client,
                                                                                         demo_platform):
    """The reported attack: a catalogue material whose form_url is ``javascript:``. The import model
    refuses it; one stored before (or by another path) renders as ``#``."""
    from sqlalchemy import text

    from plugins.approval.schemas import MaterialIn

    with pytest.raises(ValidationError) as err:
        MaterialIn(code="m1", name="x", form_url="javascript:fetch('/api/...')")
    assert "form_url" in str(err.value)
    with demo_platform.db.transaction(Scope.system()) as s:
        row = s.execute(text("SELECT m.id, i.code FROM approval_item_materials m JOIN approval_items i "
                             "ON i.id = m.item_id WHERE i.tenant_id = (SELECT id FROM tenants WHERE "
                             "code = '360102') ORDER BY m.id LIMIT 1")).first()
        assert row is not None
        s.execute(text("UPDATE approval_item_materials SET form_url = :u WHERE id = :i"),
                  {"u": "javascript:alert(document.cookie)", "i": row[0]})
    page = demo_client.get(f"/t/360102/approval/items/{row[1]}")
    assert page.status_code == 200
    assert "javascript:" not in page.text
    assert 'href="#"' in page.text


# -- headers ------------------------------------------------------------------------------------------------

def _check_headers(r: Any, what: str) -> None:
    h = r.headers
    csp = h.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, what
    assert h.get("x-content-type-options") == "nosniff", what
    assert h.get("x-frame-options") == "DENY", what
    assert h.get("referrer-policy") == "same-origin", what


def _check_page(r: Any, what: str) -> None:
    """A rendered page holds nothing the CSP would refuse: inline script, handlers, style attributes,
    a <style> without this response's nonce, javascript: URLs."""
    if not r.headers.get("content-type", "").startswith("text/html"):
        return
    nonce = re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]).group(1)
    html = r.text
    for m in re.finditer(r"<script\b[^>]*>", html, re.I):
        assert "src=" in m.group(0), f"{what}: inline script"
    for m in re.finditer(r"<style\b[^>]*>", html, re.I):
        assert f'nonce="{nonce}"' in m.group(0), f"{what}: {m.group(0)}"
    assert not re.search(r"""\s(on[a-z]+|style)=["']""", html, re.I), f"{what}: inline handler or style"
    assert "javascript:" not in html.lower(), what


def test_security_headers_on_every_route_and_every_kind_of_answer(demo_client, demo_platform):
    app = demo_client.app
    staff = make_superuser(demo_platform)
    page_staff = login(TestClient(app, follow_redirects=False), staff.username)
    ids = demo_ids(demo_platform)
    routes = all_routes(app)
    assert len(routes) > 80
    seen_status: set[int] = set()
    kinds: set[str] = set()
    for route in routes:
        url = route.url(**{n: ids.get(n, 1) for n in route.id_params})
        for client in (demo_client, page_staff):
            for method in route.methods:
                r = client.request(method, url, headers={"content-type": "application/json"}, content=b"{}")
                _check_headers(r, f"{method} {url} -> {r.status_code}")
                _check_page(r, f"{method} {url}")
                seen_status.add(r.status_code)
                kinds.add(r.headers.get("content-type", "").split(";")[0])
            r = client.request("TRACE", url)  # 405 with Allow
            _check_headers(r, f"TRACE {url}")
            seen_status.add(r.status_code)
    for extra in ("/static/hall.css", "/static/p/licence/licence.css", "/no/such/page", "/api/no/such",
                  "/t/999999/", "/favicon.ico"):
        r = demo_client.get(extra)
        _check_headers(r, extra)
        seen_status.add(r.status_code)
    assert {200, 303, 404, 405} <= seen_status
    assert {"text/html", "application/json"} <= kinds


@pytest.mark.server_errors_expected
def test_security_headers_on_a_500(platform):
    from starlette.routing import Route

    from core.access.guard import public
    from core.app import create_app

    app = create_app(platform=platform)

    @public
    async def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    app.router.routes.insert(0, Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    _check_headers(r, "500")
