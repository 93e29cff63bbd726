"""Supply and demand: producers post supply, buyers post demand; a post's matches are the open posts of
the other kind for the same product, nearest first by distance in the division tree (same county 0,
sibling counties 2, ...). Contact goes through the platform's messages; a phone number is never shown to
guests (only to the poster and staff).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import NotFound, notify, publish
from plugins.agriculture.models import Post
from plugins.agriculture.schemas import PostIn

KINDS = {"supply": ("供应", "Supply"), "demand": ("求购", "Demand")}


def distance(a: str, b: str) -> int:
    """Steps between two tenants through their nearest common ancestor (paths like 360000/360100/360102)."""
    pa, pb = a.split("/"), b.split("/")
    common = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        common += 1
    return len(pa) + len(pb) - 2 * common


def create(session: Session, tenant: Any, data: PostIn, *, account_id: int, name: str) -> Post:
    post = Post(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        poster_name=name,
        account_id=account_id,
        **data.model_dump(),
    )
    session.add(post)
    session.flush()
    publish(session, tenant=tenant, type="agriculture.post.created", payload={"post_id": post.id}, actor=name)
    return post


def listing(session: Session, kind: str = "", product: str = "", limit: int = 100) -> list[Post]:
    q = select(Post).where(Post.state == "open")
    if kind in KINDS:
        q = q.where(Post.kind == kind)
    if product:
        q = q.where(Post.product == product)
    return list(session.scalars(q.order_by(Post.id.desc()).limit(limit)))


def get(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound("No such post", "没有该供求信息", code="unknown_post")
    return post


def matches(session: Session, post: Post, limit: int = 20) -> list[tuple[Post, int]]:
    """Open posts of the other kind for the same product in the session's scope, nearest first."""
    other = "demand" if post.kind == "supply" else "supply"
    rows = session.scalars(
        select(Post)
        .where(Post.kind == other, Post.product == post.product, Post.state == "open", Post.id != post.id)
        .limit(500)
    )
    ranked = sorted(
        ((p, distance(post.tenant_path, p.tenant_path)) for p in rows), key=lambda x: (x[1], -x[0].id)
    )
    return ranked[:limit]


def contact(session: Session, platform: Any, post: Post, *, account_id: int, name: str, message: str) -> int:
    """A message to the poster's inbox at the post's tenant; the same message twice is sent once."""
    owner = platform.directory.by_id[post.tenant_id]
    digest = hashlib.sha256(f"{account_id}:{message}".encode()).hexdigest()[:24]
    kind_zh = KINDS[post.kind][0]
    return notify(
        session,
        tenant=owner,
        kind="agriculture.contact",
        to_account=post.account_id,
        title_zh=f"{name} 就您的{kind_zh}信息“{post.product}”联系您"[:200],
        title_en=f"{name} about your {post.kind} post for {post.product}"[:200],
        body_zh=message,
        body_en=message,
        dedupe_key=f"agriculture.contact:{post.id}:{digest}",
        href="agriculture/posts",
    )
