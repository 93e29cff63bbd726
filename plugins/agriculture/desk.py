"""The 12316 desk: farmers ask (text and photos), the county's experts answer within the tenant's limit in
working days (``agriculture.answer_working_days``, counted on the legal clock); an unanswered question
past its limit is escalated to the city, whose experts may then answer it. Answers can be published to
a knowledge base searched across the hall's subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import (
    Conflict,
    Invalid,
    NotFound,
    add_working_days,
    audit,
    calendar_for,
    detect_upload,
    publish,
    today,
)
from plugins.agriculture.models import Photo, Question
from plugins.agriculture.schemas import AnswerIn, QuestionIn

LIMIT_KEY = "agriculture.answer_working_days"
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = ("jpg", "png")  # told by their first bytes (core.api.detect_upload), not by their names


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def check_photos(photos: list[Upload]) -> list[tuple[str, bytes]]:
    """Each photo a JPEG or PNG by its first bytes (not its name) and at most 2 MB; at most three.
    Raises one Invalid naming every bad file."""
    photos = [p for p in photos if p.data]
    if len(photos) > MAX_PHOTOS:
        raise Invalid(
            f"At most {MAX_PHOTOS} photos",
            f"最多上传 {MAX_PHOTOS} 张照片",
            code="too_many_photos",
            fields={"photos": f"at most {MAX_PHOTOS}"},
            fields_zh={"photos": f"最多 {MAX_PHOTOS} 张"},
        )
    out: list[tuple[str, bytes]] = []
    en: dict[str, str] = {}
    zh: dict[str, str] = {}
    for i, p in enumerate(photos):
        kind = detect_upload(p.data, PHOTO_TYPES)
        if kind is None:
            en[f"photos.{i}"] = f"{p.filename[:60]}: not a JPEG or PNG image"
            zh[f"photos.{i}"] = f"{p.filename[:60]}：不是 JPEG 或 PNG 图片"
        elif len(p.data) > MAX_PHOTO_BYTES:
            en[f"photos.{i}"] = f"{p.filename[:60]}: larger than 2 MB"
            zh[f"photos.{i}"] = f"{p.filename[:60]}：超过 2 MB"
        else:
            out.append((kind.content_type, p.data))
    if en:
        raise Invalid(
            "Photos must be JPEG or PNG images of at most 2 MB",
            "照片须为不超过 2 MB 的 JPEG 或 PNG 图片",
            code="bad_photo",
            fields=en,
            fields_zh=zh,
        )
    return out


def ask(
    session: Session,
    platform: Any,
    tenant: Any,
    data: QuestionIn,
    photos: list[Upload],
    *,
    account_id: int,
    name: str,
) -> Question:
    checked = check_photos(photos)
    day = today(platform)
    limit = int(platform.tenant_setting(tenant, LIMIT_KEY))
    q = Question(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        asker_account_id=account_id,
        asker_name=name,
        title=data.title,
        body=data.body,
        asked_on=day,
        due_on=add_working_days(day, limit, calendar_for(platform, tenant)),
    )
    session.add(q)
    session.flush()
    session.add_all(
        Photo(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            question_id=q.id,
            content_type=kind,
            size=len(blob),
            data=blob,
        )
        for kind, blob in checked
    )
    publish(
        session, tenant=tenant, type="agriculture.question.asked", payload={"question_id": q.id}, actor=name
    )
    return q


def for_experts(session: Session, tenant: Any, *, answered: bool = False) -> list[Question]:
    """Questions this tenant's experts answer: asked here, or escalated here from a county below (the
    session must cover the subtree for the latter)."""
    q = select(Question).where(or_(Question.tenant_id == tenant.id, Question.escalated_path == tenant.path))
    q = q.where(Question.answered_on.is_not(None) if answered else Question.answered_on.is_(None))
    return list(session.scalars(q.order_by(Question.due_on, Question.id).limit(300)))


def get_for_expert(session: Session, tenant: Any, question_id: int) -> Question:
    q = session.get(Question, question_id)
    if q is None or (q.tenant_id != tenant.id and q.escalated_path != tenant.path):
        raise NotFound("No such question here", "本级没有该问题", code="unknown_question")
    return q


def answer(
    session: Session, platform: Any, tenant: Any, question_id: int, data: AnswerIn, *, actor: str
) -> Question:
    q = get_for_expert(session, tenant, question_id)
    if q.version != data.version:
        raise Conflict("Someone answered first; reload", "该问题已被他人处理，请刷新", code="stale_version")
    if q.answered_on is not None:
        raise Conflict("This question is already answered", "该问题已答复", code="already_answered")
    q.answer, q.answered_by, q.answered_on, q.published = data.answer, actor, today(platform), data.publish
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "Someone answered first; reload", "该问题已被他人处理，请刷新", code="stale_version"
        ) from None
    owner = platform.directory.by_id.get(q.tenant_id)
    publish(
        session,
        tenant=owner,
        type="agriculture.question.answered",
        payload={"question_id": q.id},
        actor=actor,
    )
    from core.api import notify

    notify(
        session,
        tenant=owner,
        kind="agriculture.answer",
        to_account=q.asker_account_id,
        title_zh=f"12316 已答复：{q.title}"[:200],
        title_en=f"12316 answered: {q.title}"[:200],
        body_zh=q.answer,
        body_en=q.answer,
        dedupe_key=f"agriculture.answer:{q.id}",
        href="agriculture/ask",
    )
    return q


def mine(session: Session, tenant: Any, account_id: int | None) -> list[Question]:
    if account_id is None:
        return []
    return list(
        session.scalars(
            select(Question)
            .where(Question.tenant_id == tenant.id, Question.asker_account_id == account_id)
            .order_by(Question.id.desc())
            .limit(100)
        )
    )


def knowledge(session: Session, text: str, limit: int = 50) -> list[Question]:
    """Published answers in the session's scope whose title, question or answer holds ``text``."""
    q = select(Question).where(Question.published.is_(True), Question.answered_on.is_not(None))
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(
            or_(
                Question.title.like(like, escape="\\"),
                Question.body.like(like, escape="\\"),
                Question.answer.like(like, escape="\\"),
            )
        )
    return list(session.scalars(q.order_by(Question.answered_on.desc(), Question.id.desc()).limit(limit)))


def city_of(platform: Any, tenant: Any) -> Any:
    """The nearest ancestor at city level (the county's city), or None."""
    parent = platform.directory.by_id.get(tenant.parent_id) if tenant.parent_id else None
    while parent is not None and parent.level != "city":
        parent = platform.directory.by_id.get(parent.parent_id) if parent.parent_id else None
    return parent


def escalate(session: Session, platform: Any, tenant: Any) -> int:
    """Overdue, unanswered questions of ``tenant`` move up to its city (one UPDATE's worth of rows)."""
    city = city_of(platform, tenant)
    if city is None:
        return 0
    day = today(platform)
    rows = list(
        session.scalars(
            select(Question).where(
                Question.tenant_id == tenant.id,
                Question.answered_on.is_(None),
                Question.escalated_path.is_(None),
                Question.due_on < day,
            )
        )
    )
    for q in rows:
        q.escalated_path, q.escalated_on = city.path, day
    if rows:
        session.flush()
        audit.record(
            session,
            actor="system",
            action="agriculture.questions.escalated",
            tenant=tenant,
            target=f"tenant:{city.code}",
            details={"questions": [q.id for q in rows]},
        )
    return len(rows)


def escalate_task(platform: Any, tenant: Any, session: Session) -> None:
    """Hourly, per tenant where the plugin is on."""
    escalate(session, platform, tenant)


def photo(session: Session, question: Question, photo_id: int) -> Photo:
    p = session.get(Photo, photo_id)
    if p is None or p.question_id != question.id:
        raise NotFound("No such photo", "没有该照片", code="unknown_photo")
    return p
