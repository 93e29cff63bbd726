"""Domain errors: raised in services, mapped to HTTP in one place (core.web.errors)."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """An error a user can act on. ``code`` is stable and machine-readable; messages in both languages."""

    status = 400
    code = "bad_request"

    def __init__(self, message_en: str, message_zh: str = "", *, code: str | None = None,
                 fields: Mapping[str, str] | None = None, fields_zh: Mapping[str, str] | None = None
                 ) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en
        if code:
            self.code = code
        self.fields = dict(fields or {})
        # What a page shows next to each field in Chinese (``fields`` stays the API's, in English).
        self.fields_zh = {**self.fields, **dict(fields_zh or {})}

    def field_messages(self, lang: str) -> dict[str, str]:
        """Per-field messages in the reader's language, for a form that shows them next to its fields."""
        return dict(self.fields_zh if lang == "zh-CN" else self.fields)


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class Conflict(DomainError):
    """A concurrent change won, or the object is not in a state that allows this."""

    status = 409
    code = "conflict"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
