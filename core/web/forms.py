"""Reading form posts: ``form_data`` is the one way a handler reads a form (NUL refused in every field
and uploaded file name, core.web.inputs); ``read_form`` adds the CSRF check and returns a plain dict for
a pydantic model (core pages)."""

from __future__ import annotations

import importlib
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from core.web.inputs import check_form


async def form_data(request: Request) -> FormData:
    """The posted form (urlencoded or multipart), 422 naming the first field or file name that holds
    a NUL character — text PostgreSQL cannot store."""
    return check_form(await request.form())  # type: ignore[no-any-return]


async def read_form(request: Request) -> dict[str, Any]:
    """The posted fields (last value wins), after the identity layer's CSRF check.

    ``core.identity.csrf.check(request, form)`` raises on a missing or wrong token; it is looked up at
    call time because the identity package owns it.
    """
    form = await form_data(request)
    csrf = importlib.import_module("core.identity.csrf")
    result = csrf.check(request, form)
    if hasattr(result, "__await__"):
        await result
    return {k: v for k, v in form.items() if k != "csrf_token"}
