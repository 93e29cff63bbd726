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
    csrf_token: str = ""
    unread: int | None = None  # unread messages for the header (pages of a signed-in person only)
    log: dict[str, Any] = field(default_factory=dict)

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
