"""Identity: accounts, passwords, sessions, API tokens, login and logout — one login for the network."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from core.identity.actor import Actor


def install(platform: Any) -> None:
    """Attach authentication, the policy watcher and the demo accounts to the platform (create_app)."""
    from core.identity import csrf
    from core.identity.demo import load_demo_accounts
    from core.identity.sessions import make_authenticate

    lookup = make_authenticate(platform)
    secret = platform.settings["secret_key"]
    secure = bool(platform.settings["https"])

    async def authenticate(request: Request) -> Actor:
        actor = await lookup(request)
        request.state.ctx.actor = actor
        csrf.prepare(request, secret, secure)
        return actor

    platform.authenticate = authenticate
    if platform.access.poll not in platform.watchers:
        platform.watchers.append(platform.access.poll)
    if load_demo_accounts not in platform.demo_loaders:
        platform.demo_loaders.append(load_demo_accounts)
