"""Who is acting: the result of authentication, attached to every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["guest", "person", "legal", "staff"]


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated account (or the guest). The same Actor in every tenant's hall: one login."""

    account_id: int | None
    kind: ActorKind
    display_name: str
    username: str = ""
    session_id: str | None = None  # hashed session id, when authenticated by cookie
    token_id: int | None = None  # API token id, when authenticated by bearer token
    token_scopes: tuple[str, ...] = ()
    id_number: str = ""  # resident ID / credit code of the account, as of authentication (<= 1 s old)

    @property
    def is_guest(self) -> bool:
        return self.account_id is None

    @property
    def label(self) -> str:
        """For logs and the audit trail."""
        return "guest" if self.account_id is None else f"{self.kind}:{self.username or self.account_id}"


GUEST = Actor(account_id=None, kind="guest", display_name="访客 Guest")
