"""Issue #10 item 7 over every registered route (core and plugins, pages and API), on the demo data of
whichever database the suite runs on: oversized and out-of-range ids, bad cursors and limits, NUL in
paths, query strings, JSON bodies, forms and file names, deeply nested JSON and 64-bit overflows.
Nothing may answer 5xx (the conftest also fails a test on any 5xx logged), and each refusal is a 4xx
in the standard error shape."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.identity.demo import DEMO_PASSWORD
from core.web.api import doc_of, encode_cursor
from core.web.inputs import ID_MAX, MAX_JSON_DEPTH
from tests.factories import csrf_token, login
from tests.routes import (
    RouteInfo,
    all_routes,
    demo_citizen,
    demo_enterprise,
    demo_ids,
    make_superuser,
    token_for,
)

OVERSIZED_IDS = [str(ID_MAX + 1), str(2**64 + 1), "1" + "0" * 30, "0", "-1", "00", "1e3"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_CURSORS = [
    "!!!", "%FF%FE", "x" * 5000, _b64(b"not json"), _b64(b"{}"), _b64(b"[]"), _b64(b'"abc"'),
    encode_cursor(["abc"]), encode_cursor([2**62, "x", 3]), _b64(json.dumps([2**70]).encode()),
    _b64(b"[1e400]"), _b64(b"[NaN]"), _b64(json.dumps([{"dt": "not a date"}]).encode()),
    _b64(json.dumps([{"zz": "1"}]).encode()), _b64(b"[" * 5000 + b"]" * 5000), encode_cursor([True]),
    encode_cursor([1.5]), _b64(json.dumps(["a\u0000b"]).encode()),
]
BAD_LIMITS = ["0", "-1", "abc", str(2**64), "1" * 40, "1.5", ""]


@pytest.fixture
def sweep(demo_client: TestClient, demo_platform: Any) -> dict[str, Any]:
    """The demo app, a superuser (every grantable role over the province), the demo citizen and the demo
    enterprise (a bidder), each with a bearer token (API) and a logged-in page client; ids of objects they
    may reach."""
    staff = make_superuser(demo_platform)
    citizen = demo_citizen(demo_platform)
    enterprise = demo_enterprise(demo_platform)  # a bidder: the routes only a legal person reaches
    app = demo_client.app
    page_staff = login(TestClient(app, follow_redirects=False), staff.username)
    page_citizen = login(TestClient(app, follow_redirects=False), citizen.username, DEMO_PASSWORD)
    page_enterprise = login(TestClient(app, follow_redirects=False), enterprise.username, DEMO_PASSWORD)
    return {
        "client": demo_client,
        "routes": all_routes(app),
        "api_actors": [{"authorization": f"Bearer {token_for(demo_platform, a)}"}
                       for a in (staff, citizen, enterprise)],
        "page_actors": [page_staff, page_citizen, page_enterprise],
        "ids": demo_ids(demo_platform),
    }


def _send(sweep: dict[str, Any], route: RouteInfo, method: str, url: str, **kw: Any) -> list[Any]:
    """The request as each actor: tokens on the API, logged-in sessions (with their CSRF token) on pages."""
    out = []
    if route.api:
        for headers in sweep["api_actors"]:
            out.append(sweep["client"].request(method, url, headers={**headers, **kw.pop("headers", {})},
                                               **kw))
    else:
        for client in sweep["page_actors"]:
            extra = dict(kw)
            token = csrf_token(client, "/login")
            if method == "POST" and "data" in extra:
                extra["data"] = {**extra["data"], "csrf_token": token}
            else:  # a JSON or bodiless request to a page: the token in the header (core.identity.csrf)
                extra["headers"] = {**extra.get("headers", {}), "x-csrf-token": token}
            out.append(client.request(method, url, **extra))
    return out


def _assert_4xx(responses: list[Any], what: str, *, status: set[int] | None = None,
                field: str | None = None, object_route: bool = False) -> None:
    """No actor got a 5xx; with ``status``, every actor got it, or was refused for lacking the route's
    permission (the permission is checked first: a citizen on a staff route) — or, on an object route, for
    not being allowed to see the object (a citizen on another's application) — while another got it."""
    denied = {401, 403, 404} if object_route else {401, 403}
    for r in responses:
        assert r.status_code < 500, f"{what}: {r.status_code} {r.text[:300]}"
        if status is not None:
            assert r.status_code in status | denied, f"{what}: {r.status_code} {r.text[:300]}"
        if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/json"):
            err = r.json()["error"]
            assert set(err) == {"code", "message", "fields"}, what
            if field is not None and r.status_code not in denied:
                assert field in err["fields"], f"{what}: {err}"
    if status is not None and not status & denied:
        assert any(r.status_code in status for r in responses), (
            f"{what}: every actor was refused: {[(r.status_code, _message(r)) for r in responses]}")


def _message(r: Any) -> str:
    if r.headers.get("content-type", "").startswith("application/json"):
        return str(r.json().get("error", {}).get("message", ""))[:200]
    found = re.search(r'class="message">([^<]*)<', r.text)
    return found.group(1) if found else r.text[:200]


def test_every_route_is_swept(sweep):
    routes = sweep["routes"]
    assert len(routes) > 80
    assert {r.path.split("/")[4] for r in routes if r.path.startswith("/api/t/")} >= {
        "approval", "credit", "hall", "supervision"}
    assert sum(1 for r in routes if r.id_params) >= 20


def test_ids_beyond_64_bits_or_below_one_are_404_on_every_id_route(sweep):
    for route in (r for r in sweep["routes"] if r.id_params):
        for method in route.methods:
            for bad in OVERSIZED_IDS:
                for name in route.id_params:
                    url = route.url(**{name: bad})
                    _assert_4xx(_send(sweep, route, method, url, json={"version": 1}),
                                f"{method} {url}", status={404})
            url = route.url(**{n: ID_MAX for n in route.id_params})  # the largest id: a real miss
            _assert_4xx(_send(sweep, route, method, url, json={"version": 1}), f"{method} {url}")


def _as_reaching_actor(sweep: dict[str, Any], route: RouteInfo, url: str) -> list[Any]:
    """GET ``url`` as the actor who gets past the route's permission: the citizen on /my/, else staff."""
    mine = 1 if "/my/" in route.path else 0
    if route.api:
        return [sweep["client"].get(url, headers=sweep["api_actors"][mine])]
    return [sweep["page_actors"][mine].get(url)]


def test_bad_cursors_and_limits_are_422_naming_them_on_every_list(sweep):
    for route in (r for r in sweep["routes"] if "GET" in r.methods):
        doc = doc_of(route.endpoint)
        paginated = route.api and doc is not None and doc.paginated
        for cursor in BAD_CURSORS:
            url = f"{route.url(**sweep['ids'])}?cursor={cursor}"
            _assert_4xx(_as_reaching_actor(sweep, route, url), f"GET {url}",
                        status={422} if paginated else None, field="cursor" if paginated else None)
        for limit in BAD_LIMITS:
            url = f"{route.url(**sweep['ids'])}?limit={limit}"
            _assert_4xx(_as_reaching_actor(sweep, route, url), f"GET {url}",
                        status={422} if paginated else None, field="limit" if paginated else None)


def _query_names() -> set[str]:
    """Every query parameter a handler reads (``query_params.get("name"`` or ``query_id(request, "name"``
    in core and plugins) or a route declares (its query model)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    names: set[str] = set()
    for path in [*root.joinpath("core").rglob("*.py"), *root.joinpath("plugins").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'(?:query_params\.get|query_id)\(\s*(?:request,\s*)?"([a-z_]+)"', text))
    return names


def test_every_query_parameter_survives_overflowing_and_wrong_typed_values(sweep):
    """Each parameter name any handler reads, on every GET route, with a value past 64 bits and one of
    the wrong type — as the actor who reaches the handler (the citizen on /my/, else the superuser)."""
    names = _query_names()
    assert names >= {"q", "before", "page", "since", "state"}
    for route in (r for r in sweep["routes"] if "GET" in r.methods):
        doc = doc_of(route.endpoint)
        declared = set(doc.query.model_fields) if doc is not None and doc.query is not None else set()
        for name in sorted(names | declared):
            for value in (str(2**64), "x-1"):
                url = f"{route.url(**sweep['ids'])}?{name}={value}"
                _assert_4xx(_as_reaching_actor(sweep, route, url), f"GET {url}")


def test_nul_in_query_strings_and_path_segments_is_422_everywhere(sweep):
    for route in sweep["routes"]:
        for method in route.methods:
            for query in ("q=%00", "a%00b=1", "cursor=%00", "lang=zh%00", "x=1&q=abc%00def"):
                url = f"{route.url(**sweep['ids'])}?{query}"
                _assert_4xx(_send(sweep, route, method, url), f"{method} {url}", status={422})
            for name, conv in route.params:
                if conv != "int" and name != "tenant_code":
                    url = route.url(**{name: "a%00b"})
                    _assert_4xx(_send(sweep, route, method, url), f"{method} {url}", status={422})
        if "{tenant_code}" in route.path:
            _assert_4xx(_send(sweep, route, route.methods[0], route.url(tenant_code="3601%0002")),
                        f"{route.path} with NUL in the tenant code", status={422})


def _nul_body(route: RouteInfo) -> dict[str, Any]:
    """The route's declared request fields (or common ones), every string holding a NUL."""
    doc = doc_of(route.endpoint)
    names = ["reason", "note", "comment", "username", "password", "q", "name", "code", "title", "session"]
    if doc is not None and doc.request is not None:
        names = list(doc.request.model_fields)
    return {n: "a\u0000b" for n in names}


def test_nul_in_bodies_forms_and_file_names_is_a_4xx_on_every_unsafe_route(sweep):
    for route in (r for r in sweep["routes"] if "POST" in r.methods):
        url = route.url(**sweep["ids"])
        if route.api:
            _assert_4xx(_send(sweep, route, "POST", url, json=_nul_body(route)), f"JSON NUL {url}")
            _assert_4xx(_send(sweep, route, "POST", url, json={"a\u0000": 1}), f"JSON NUL key {url}")
            r = _send(sweep, route, "POST", url, data={"item_code": "a\u0000b"},
                      files={"file_x": ("a.pdf", b"%PDF-1.4")})
            _assert_4xx(r, f"multipart NUL {url}")
        else:
            form = {n: "a\u0000b" for n in ("username", "password", "reason", "note", "comment", "q",
                                             "level", "version", "role", "tenant", "plugin", "state")}
            _assert_4xx(_send(sweep, route, "POST", url, data=form), f"form NUL {url}", status={422},
                        object_route=bool(route.id_params))
            answers = []
            for client in sweep["page_actors"]:
                body, ctype = _multipart_with_nul_filename(csrf_token(client, "/login"))
                answers.append(client.post(url, content=body, headers={"content-type": ctype}))
            _assert_4xx(answers, f"file name NUL {url}", status={422}, object_route=bool(route.id_params))


def _multipart_with_nul_filename(token: str) -> tuple[bytes, str]:
    """A multipart form whose file name holds a raw NUL byte (clients percent-encode it; an attacker
    need not). The file's content may hold NUL: that is binary data, not text."""
    b = "sweepboundary"
    parts = [
        f'--{b}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'.encode(),
        f'--{b}\r\nContent-Disposition: form-data; name="version"\r\n\r\n1\r\n'.encode(),
        f'--{b}\r\nContent-Disposition: form-data; name="file_x"; filename="a'.encode() + b"\x00"
        + b'b.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 \x00 binary\r\n',
        f"--{b}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={b}"


def test_deep_json_and_64_bit_overflow_are_a_4xx_on_every_api_route(sweep):
    deep_list = "[" * 100_000 + "]" * 100_000
    deep_obj = '{"a":' * (MAX_JSON_DEPTH + 5) + "1" + "}" * (MAX_JSON_DEPTH + 5)
    for route in (r for r in sweep["routes"] if r.api and "POST" in r.methods):
        url = route.url(**sweep["ids"])
        for raw in (deep_list, deep_obj):
            _assert_4xx(_send(sweep, route, "POST", url, content=raw,
                              headers={"content-type": "application/json"}), f"deep JSON {url}")
        huge = {n: 2**70 for n in ("version", "level", "days", "fee_cents", "statutory_days")}
        _assert_4xx(_send(sweep, route, "POST", url, json=huge), f"2**70 {url}")
        for raw in ("[1e400]", '{"version": NaN}', '{"version": Infinity}', '{"version": 1e400}'):
            _assert_4xx(_send(sweep, route, "POST", url, content=raw,
                              headers={"content-type": "application/json"}), f"{raw} {url}")


@pytest.mark.parametrize("path", ["/api/login", "/api/logout"])
def test_deep_json_to_login_is_refused_unauthenticated(client, path):
    r = client.post(path, content="[" * 100_000 + "]" * 100_000, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_deep"
    nested = '{"username":' * 40 + '"x"' + "}" * 40
    r = client.post(path, content=nested, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_deep"
    r = client.post(path, json={"username": "a\u0000b", "password": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "nul_character"
    assert r.json()["error"]["fields"] == {"username": "NUL character (\\u0000) is not allowed"}


def test_request_input_is_read_only_through_the_shared_parsers():
    """The checks above hold for tomorrow's routes only if every handler reads input through the shared
    parsers: JSON via core.web.api (read_json / parse_body), forms via core.web.forms.form_data."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    allowed = {root / "core/web/api.py", root / "core/web/forms.py",
               # A separate ASGI app standing in for a province's gateway, not a govhall route.
               root / "plugins/payment/simgateway.py"}
    offenders = []
    for path in [*root.joinpath("core").rglob("*.py"), *root.joinpath("plugins").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for needle in ("request.form(", "request.json(", "request.body(", "request.stream("):
            if needle in text and path not in allowed:
                offenders.append(f"{path.relative_to(root)}: {needle}")
    assert offenders == []
