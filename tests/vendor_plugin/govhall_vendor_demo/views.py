"""The vendor_demo page: /t/{code}/vendor_demo/."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.api import render, require
from govhall_vendor_demo import services
from govhall_vendor_demo.permissions import NOTE_VIEW


@require(NOTE_VIEW)
async def index(request: Request) -> Response:
    ctx = request.state.ctx

    def load() -> list[services.Note]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            return services.list_notes(s)

    notes = await ctx.platform.db.run(load)
    greeting = ctx.platform.tenant_setting(ctx.tenant, "vendor_demo.greeting")
    return render(request, "vendor_demo/index.html", {"notes": notes, "greeting": greeting})


def routes() -> list[Route]:
    return [Route("/", index, name="vendor_demo:index")]
