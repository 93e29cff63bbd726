"""Reading HTML form posts for core pages: CSRF-checked, returned as a plain dict for a pydantic model."""

from __future__ import annotations

import importlib
from typing import Any

from starlette.requests import Request


async def read_form(request: Request) -> dict[str, Any]:
    """The posted fields (last value wins), after the identity layer's CSRF check.

    ``core.identity.csrf.check(request, form)`` raises on a missing or wrong token; it is looked up at
    call time because the identity package owns it.
    """
    form = await request.form()
    csrf = importlib.import_module("core.identity.csrf")
    result = csrf.check(request, form)
    if hasattr(result, "__await__"):
        await result
    return {k: v for k, v in form.items() if k != "csrf_token"}
