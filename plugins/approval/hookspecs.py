# mypy: disable-error-code="empty-body"
"""Hooks the approval plugin declares (added through ``govhall_addhooks``; docs/hooks.md).

Other plugins implement them with ``@hookimpl(optionalhook=True)`` and no import of approval, so they load
unchanged where approval is not installed; approval works unchanged when none of them is on.
"""

from __future__ import annotations

from typing import Any

from core.api import hookspec


@hookspec
def govhall_approval_case_facts(
    platform: Any, tenant: Any, application: dict[str, Any], viewer: str, session: Any
) -> list[dict[str, Any]]:
    """Facts another plugin knows about an application, shown on its case page (``viewer="staff"``) and on
    the applicant's own page (``viewer="applicant"``): e.g. payment's fee and its state. ``application``
    has ``id``, ``number``, ``item_code``, ``state``, ``applicant_account_id``; ``session`` is scoped to
    ``tenant`` (read only). Each fact: ``label_zh``, ``label_en``, ``value_zh``, ``value_en``, and optional
    ``href`` (a same-site path), ``link_zh``/``link_en`` (the link's words) and ``level`` (``ok`` or
    ``warning``)."""


@hookspec
def govhall_approval_material_sources(
    platform: Any,
    tenant: Any,
    item: dict[str, Any],
    material: dict[str, Any],
    applicant: dict[str, Any],
    session: Any,
) -> list[dict[str, Any]]:
    """Where an applicant's data on file can stand in for an uploaded material ("use my data on file",
    不再重复提交). Called for each material of ``item`` that declares ``reuse`` (a list of
    ``{"via": <plugin>, ...}``: licence uses ``licence_type``, exchange ``resource``); ``applicant`` has
    ``account_id``, ``kind``, ``id_number``, ``name``. Each source: ``key`` (stable, e.g.
    ``licence:<number>``), ``title_zh``/``title_en`` (what the applicant chooses), ``provider_zh``/
    ``provider_en``, ``plugin``, and ``fetch`` — a callable ``fetch(session=..., platform=...)`` run at
    submission, on the submission's session, that returns ``{"data": {...}, "labels": {name: [zh, en]},
    "provenance": {"provider_zh", "provider_en", "reference", "at", "href", ...}}`` or raises a
    ``DomainError`` (no longer valid: approval asks for an upload instead)."""


@hookspec
def govhall_approval_item_fees(
    platform: Any, tenant: Any, item_codes: list[str], session: Any
) -> dict[str, dict[str, Any]]:
    """The fee another plugin actually charges for items at ``tenant`` — one source of truth for the fee
    (issue #16). Return ``{item code: {"cents": int >= 0, "basis": str}}`` for every code of
    ``item_codes`` the plugin answers for (payment answers for all of them: ``0`` where it charges
    nothing). Where a plugin answers, approval's service guide, the fee stamped on a new application and
    the ``approval.fee_mismatch`` rule use that value; approval's own ``fee_cents``/``fee_basis`` columns
    are the fee only where no plugin answers (payment off). ``session`` may span a subtree (read only)."""


@hookspec
def govhall_approval_item_facts(
    platform: Any, tenant: Any, item: dict[str, Any], session: Any
) -> list[dict[str, Any]]:
    """Facts another plugin knows about a service item, shown on its service guide (办事指南): e.g. openness's
    power the item exercises (权责清单). ``item`` has ``code``, ``name``, ``department_code``; ``session``
    is scoped to ``tenant`` (read only). Each fact has the shape of ``govhall_approval_case_facts``'s."""


@hookspec(firstresult=True)
def govhall_approval_rating(
    platform: Any, tenant: Any, application: dict[str, Any], session: Any
) -> dict[str, Any] | None:
    """Whether an applicant can rate a concluded application at ``tenant``, and what became of the rating
    (one rating mechanism for every plugin, issue #21: approval keeps no rating of its own; it publishes
    ``approval.service.rated`` and the plugin that records reviews answers here). ``application`` as in
    ``govhall_approval_case_facts``; ``session`` is scoped to ``tenant`` (read only). Answer
    ``{"review": None}`` while no rating is recorded, else ``{"review": {"level": 1..5, "comment": str,
    "rated_on": "YYYY-MM-DD", "rectification_zh"/"rectification_en": the state of a bad review's
    rectification ("" when there is none), "outcome_zh"/"outcome_en": the department's reply to the
    person ("" until there is one), "href": a same-site path to follow it}}``. Where no plugin answers,
    ratings are unavailable at the tenant: approval offers no rating form and refuses a rating (409
    ``rating_unavailable``)."""


@hookspec
def govhall_approval_case_panels(
    platform: Any, tenant: Any, application: dict[str, Any], viewer: str, allowed: Any, session: Any
) -> list[dict[str, Any]]:
    """Panels another plugin shows on an application's case page (``viewer="staff"``: its handlers and the
    supervisors who may read it): e.g. interaction's complaints and other tickets about the application.
    ``application`` as in ``govhall_approval_case_facts``; ``allowed(permission_name)`` says whether the
    viewer holds a permission at ``tenant`` (offer a link only where they may follow it); ``session`` is
    scoped to ``tenant`` (read only) — answer with ``tenant``'s own records, never another tenant's. Each
    panel: ``title_zh``, ``title_en`` and ``rows``, each row ``kind_zh``/``kind_en`` (what it is),
    ``text`` (its number and title, free text: escaped where shown), ``state_zh``/``state_en``, ``due``
    (``YYYY-MM-DD`` or ""), ``overdue`` (bool) and optional ``href`` (a same-site path)."""
