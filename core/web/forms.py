"""Reading form posts: ``form_data`` is the one way a handler reads a form (NUL refused in every field
and uploaded file name, core.web.inputs); ``read_form`` returns a plain dict for a pydantic model (core
pages). The CSRF token was checked before the handler ran (core.identity.csrf.CsrfMiddleware)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from core.web.inputs import check_form


async def form_data(request: Request) -> FormData:
    """The posted form (urlencoded or multipart), 422 naming the first field or file name that holds
    a NUL character — text PostgreSQL cannot store."""
    return check_form(await request.form())  # type: ignore[no-any-return]


async def read_form(request: Request) -> dict[str, Any]:
    """The posted fields (last value wins) without the CSRF token, which the middleware checked before
    any handler ran (core.identity.csrf.CsrfMiddleware)."""
    form = await form_data(request)
    return {k: v for k, v in form.items() if k != "csrf_token"}
