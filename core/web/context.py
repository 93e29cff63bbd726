"""What a request knows once the middleware chain has run: its id, tenant, actor, language, platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.identity.actor import GUEST, Actor

if TYPE_CHECKING:
    from core.platform import Platform
    from core.tenancy.directory import TenantRef


@dataclass
class RequestContext:
    platform: Platform
    request_id: str
    api: bool  # under /api/: answer JSON, never HTML
    tenant: TenantRef | None = None
    actor: Actor = GUEST
    lang: str = "zh-CN"
    unread: int | None = None  # unread messages for the header (pages of a signed-in person only)
    log: dict[str, Any] = field(default_factory=dict)
    lang_chosen: str | None = None  # ?lang= on this request, when it names a language (remembered)
    # What the CSRF token is signed from (core.identity.csrf.prepare): signed on first use, so a page
    # served from a cache, which never shows it, costs no HMAC.
    _csrf_source: tuple[str, str | None, str | None] | None = field(default=None, init=False, repr=False)
    _csrf_token: str | None = field(default=None, init=False, repr=False)

    def csrf_from(self, secret: str, session_hash: str | None, guest_nonce: str | None) -> None:
        """The CSRF token is ``expected_token(secret, session_hash, guest_nonce)``, signed when read."""
        self._csrf_source, self._csrf_token = (secret, session_hash, guest_nonce), None

    @property
    def csrf_token(self) -> str:
        """This request's CSRF token (core.identity.csrf): the session's, else the guest nonce's."""
        if self._csrf_token is None:
            from core.identity.csrf import expected_token

            self._csrf_token = expected_token(*self._csrf_source) if self._csrf_source else ""
        return self._csrf_token

    @csrf_token.setter
    def csrf_token(self, value: str) -> None:
        self._csrf_token = value

    @property
    def hooks(self) -> Any:
        """Hook callers for the plugins enabled at this request's tenant."""
        assert self.tenant is not None, "no tenant on this request"
        return self.platform.hooks(self.tenant)

    @property
    def enabled(self) -> frozenset[str]:
        return self.platform.enabled(self.tenant) if self.tenant else frozenset()

    def allowed(self, permission: Any) -> bool:
        name = getattr(permission, "name", permission)
        return bool(self.platform.access.check(self.actor, self.tenant, name).allowed)
