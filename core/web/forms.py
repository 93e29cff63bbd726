"""Reading form posts: ``form_data`` is the one way a handler reads a form (NUL refused in every field
and uploaded file name, core.web.inputs); ``read_form`` returns a plain dict for a pydantic model (core
pages). The CSRF token was checked before the handler ran (core.identity.csrf.CsrfMiddleware).

Multipart forms are parsed while they stream in, with limits: at most ``MAX_FILES`` files and
``MAX_FIELDS`` fields, a text field of at most ``MAX_FIELD_BYTES``, and — when the handler says so —
each file at most ``max_file_mb``, refused (413 naming the field) at the first chunk past it. Files are
spooled to disk past 1 MiB (Starlette's ``UploadFile``); the request as a whole is bounded by
``core.web.limits.BodyLimitMiddleware``.
"""

from __future__ import annotations

from contextlib import aclosing
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from core.errors import DomainError
from core.web.inputs import check_form
from core.web.limits import too_large

MAX_FILES = 100  # an item lists at most 100 materials
MAX_FIELDS = 300
MAX_FIELD_BYTES = 64 * 1024


class TooManyParts(DomainError):
    status = 413
    code = "too_many_parts"


class _FileTooLarge(MultiPartException):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


class _LimitedParser(MultiPartParser):
    """Starlette's streaming multipart parser, counting each file's bytes as they arrive."""

    def __init__(self, *args: Any, max_file_bytes: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_file_bytes = max_file_bytes
        self._part_bytes = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._part_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is not None and self.max_file_bytes is not None:
            self._part_bytes += end - start
            if self._part_bytes > self.max_file_bytes:
                raise _FileTooLarge(part.field_name)
        super().on_part_data(data, start, end)


async def form_data(request: Request, *, max_file_mb: int | None = None) -> FormData:
    """The posted form (urlencoded or multipart), 422 naming the first field or file name that holds
    a NUL character — text PostgreSQL cannot store; 413 when a file, a field or the number of parts is
    over its limit."""
    ctype = request.headers.get("content-type", "")
    if ctype[:19].lower() != "multipart/form-data":
        try:
            form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
        except HTTPException as exc:
            raise TooManyParts(f"The form is refused: {exc.detail}", "表单字段过多或过大",
                               fields={"body": str(exc.detail)}) from None
        return check_form(form)  # type: ignore[no-any-return]
    max_file = max_file_mb * 1024 * 1024 if max_file_mb else None
    try:
        async with aclosing(request.stream()) as stream:
            parser = _LimitedParser(request.headers, stream, max_files=MAX_FILES, max_fields=MAX_FIELDS,
                                    max_part_size=MAX_FIELD_BYTES, max_file_bytes=max_file)
            form = await parser.parse()
    except _FileTooLarge as exc:
        assert max_file is not None
        raise too_large(max_file, "file", exc.field) from None
    except MultiPartException as exc:
        raise TooManyParts(f"The form is refused: {exc.message}", "表单的文件或字段过多或过大",
                           fields={"body": exc.message}) from None
    request._form = form  # what request.form() would answer from now on  # noqa: SLF001
    return check_form(form)  # type: ignore[no-any-return]


async def read_form(request: Request) -> dict[str, Any]:
    """The posted fields (last value wins) without the CSRF token, which the middleware checked before
    any handler ran (core.identity.csrf.CsrfMiddleware)."""
    form = await form_data(request)
    return {k: v for k, v in form.items() if k != "csrf_token"}
