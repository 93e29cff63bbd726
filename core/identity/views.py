"""Login, logout and registration pages, the JSON login, and the per-tenant roles page."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.access.guard import public
from core.db import Scope
from core.errors import Conflict, DomainError
from core.identity import throttle
from core.identity.login import (
    Credentials,
    LoginLocked,
    authenticate_password,
    client_address,
    open_session,
    safe_next,
    session_cookie,
)
from core.identity.passwords import POLICY_EN, POLICY_ZH
from core.identity.service import create_account
from core.identity.sessions import SESSION_COOKIE, revoke_session
from core.web.forms import form_data
from core.web.render import render


def _field_errors(exc: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.errors()}


@public
async def login_page(request: Request) -> Response:
    ctx = request.state.ctx
    nxt = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        # A logged-in user may log in as someone else; the new session replaces the old one.
        return render(request, "login.html", {"next": nxt, "errors": {}, "username": ""})
    form = await form_data(request)
    nxt = safe_next(str(form.get("next", "")) or nxt)
    username = str(form.get("username", ""))[:64]
    try:
        creds = Credentials(username=username, password=str(form.get("password", "")))
        account = await authenticate_password(request, creds)
    except ValidationError as exc:
        return render(
            request,
            "login.html",
            {"next": nxt, "errors": _field_errors(exc), "username": username},
            status=422,
        )
    except DomainError as exc:
        status = exc.status
        message = exc.message_zh if ctx.lang == "zh-CN" else exc.message_en
        return render(
            request,
            "login.html",
            {
                "next": nxt,
                "errors": {"form": message},
                "username": username,
                "locked": isinstance(exc, LoginLocked),
            },
            status=status,
        )
    raw = await open_session(request, account)
    response = RedirectResponse(nxt, status_code=303)
    response.set_cookie(**session_cookie(ctx.platform, raw))
    return response


@public
async def logout(request: Request) -> Response:
    form = await form_data(request)
    ctx = request.state.ctx
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:

        def end() -> None:
            with ctx.platform.db.transaction(Scope.system()) as s:
                revoke_session(s, raw)

        await ctx.platform.db.run(end)
    response = RedirectResponse(safe_next(str(form.get("next", ""))), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


class Registration(BaseModel):
    kind: str = Field(pattern="^(person|legal)$")
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    password2: str = Field(min_length=1, max_length=128)
    display_name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=32)
    representative_name: str = Field(default="", max_length=100)
    representative_id: str = Field(default="", max_length=32)


REG_FIELDS = tuple(Registration.model_fields)
# One answer whether the user name or the ID number is taken, by a citizen or by a staff member.
REFUSED_EN = ("These details cannot be registered. If you already have an account, log in; otherwise "
              "choose another user name")
REFUSED_ZH = "无法用这些信息注册。如您已有账户，请直接登录；否则请换一个用户名"


class RegistrationLocked(DomainError):
    status = 429
    code = "registration_locked"


@public
async def register_page(request: Request) -> Response:
    ctx = request.state.ctx
    nxt = safe_next(request.query_params.get("next"))
    kind = request.query_params.get("kind", "person")
    base = {
        "next": nxt,
        "errors": {},
        "values": {"kind": kind if kind in ("person", "legal") else "person"},
        "policy": POLICY_ZH if ctx.lang == "zh-CN" else POLICY_EN,
    }
    if request.method == "GET":
        return render(request, "register.html", base)
    form = await form_data(request)
    values = {k: str(form.get(k, "")) for k in REG_FIELDS}
    base["values"] = {k: v for k, v in values.items() if "password" not in k}
    try:
        data = Registration(**values)
        if data.password != data.password2:
            raise _mismatch()

        keys = [throttle.REGISTER_PREFIX + client_address(request)[:64]]

        def create() -> Any:
            db = ctx.platform.db
            with db.session(Scope.system()) as s:
                if throttle.verdict(s, keys).locked_until is not None:
                    raise RegistrationLocked("Too many registrations from here; try again later",
                                             "注册次数过多，请稍后再试")
            with db.transaction(Scope.system()) as s:  # every attempt counts, whatever its outcome
                throttle.record_failure(s, keys, address=keys[0])
            try:
                with db.transaction(Scope.system()) as s:
                    return create_account(
                        s,
                        kind=data.kind,
                        username=data.username,
                        password=data.password,
                        display_name=data.display_name,
                        id_number=data.id_number,
                        representative_name=data.representative_name or None,
                        representative_id=data.representative_id or None,
                    )
            except Conflict:  # which of the name or the ID number is taken, and by whom, is not said
                raise Conflict(REFUSED_EN, REFUSED_ZH, code="registration_refused",
                               fields={"form": f"{REFUSED_ZH} / {REFUSED_EN}"}) from None

        account = await ctx.platform.db.run(create)
    except ValidationError as exc:
        return render(request, "register.html", {**base, "errors": _field_errors(exc)}, status=422)
    except DomainError as exc:
        return render(
            request,
            "register.html",
            {**base, "errors": exc.fields or {"form": exc.message_zh}},
            status=exc.status,
        )
    raw = await open_session(request, account)
    response = RedirectResponse(safe_next(str(form.get("next", "")) or nxt), status_code=303)
    response.set_cookie(**session_cookie(ctx.platform, raw))
    return response


def _mismatch() -> DomainError:
    from core.errors import Invalid

    return Invalid(
        "The two passwords differ",
        "两次输入的密码不一致",
        fields={"password2": "两次输入的密码不一致 / The two passwords differ"},
    )


def routes() -> list[BaseRoute]:
    from core.identity import api, console_roles

    return [
        Route("/login", login_page, methods=["GET", "POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/register", register_page, methods=["GET", "POST"], name="register"),
        *api.routes(),
        *console_roles.routes(),
    ]
