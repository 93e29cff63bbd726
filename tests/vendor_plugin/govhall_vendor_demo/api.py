"""The vendor_demo JSON API: /api/t/{code}/vendor_demo/notes."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.api import json_error, require
from govhall_vendor_demo import services
from govhall_vendor_demo.permissions import NOTE_CREATE, NOTE_VIEW
from govhall_vendor_demo.schemas import NoteIn


@require(NOTE_VIEW)
async def list_notes(request: Request) -> Response:
    """Notices of this locality, newest first."""
    ctx = request.state.ctx

    def load() -> list[dict[str, object]]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            return [services.as_json(n) for n in services.list_notes(s)]

    return JSONResponse({"items": await ctx.platform.db.run(load), "next_cursor": None})


@require(NOTE_CREATE)
async def create_note(request: Request) -> Response:
    """Publish a notice here."""
    ctx = request.state.ctx
    try:
        data = NoteIn.model_validate(await request.json())
    except ValueError as exc:  # ValidationError, or a body that is not JSON
        fields = ({".".join(map(str, e["loc"])): e["msg"] for e in exc.errors()}
                  if isinstance(exc, ValidationError) else {})
        return json_error(422, "invalid", "请求内容有误" if ctx.lang == "zh-CN" else "Invalid input", fields)

    def save() -> dict[str, object]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            return services.as_json(services.add_note(s, ctx.tenant, title=data.title, body=data.body))

    return JSONResponse(await ctx.platform.db.run(save), status_code=201)


def routes() -> list[Route]:
    return [Route("/notes", list_notes, methods=["GET"]), Route("/notes", create_note, methods=["POST"])]
