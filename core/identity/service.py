"""Accounts and staff memberships: every rule about who may exist lives here (web, API and CLI call it)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from core.errors import Conflict, Invalid, NotFound
from core.identity.models import ACCOUNT_KINDS, Account, StaffMembership
from core.identity.passwords import check_policy, hash_password
from core.tenancy.models import Department

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,63}$")


def _invalid(field: str, en: str, zh: str) -> Invalid:
    return Invalid(en, zh, fields={field: zh + " / " + en})


def validate_resident_id(value: str, field: str = "id_number") -> str:
    """The 18-character resident ID number, checksum-verified (python-stdnum ``cn.ric``)."""
    try:
        return str(ric.validate(value.strip().upper()))
    except StdnumError:
        raise _invalid(
            field,
            "Not a valid resident ID number (18 characters, the last is a check digit)",
            "身份证号码无效（18 位，最后一位为校验码）",
        ) from None


def validate_uscc(value: str, field: str = "id_number") -> str:
    """The 18-character unified social credit code, checksum-verified (python-stdnum ``cn.uscc``)."""
    try:
        return str(uscc.validate(value.strip().upper()))
    except StdnumError:
        raise _invalid(
            field,
            "Not a valid unified social credit code (18 characters with a check character)",
            "统一社会信用代码无效（18 位，含校验位）",
        ) from None


def username_key(username: str) -> str:
    """How user names are compared everywhere — unique in the database, looked up at sign-in, counted by
    the login throttle: NFKC-normalised, stripped, case-folded. ``VictimX``, ``victimx`` and the
    full-width ``ＶｉｃｔｉｍＸ`` are one name."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def clean_username(username: str) -> str:
    """The name as stored and shown: NFKC-normalised (full-width letters become ASCII) and stripped."""
    return unicodedata.normalize("NFKC", username).strip()


def validate_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise _invalid(
            "username",
            "The user name must be 3-64 letters, digits, '.', '_' or '-', starting with a letter",
            "用户名须为 3 至 64 位字母、数字或 . _ -，并以字母开头",
        )
    return username


def create_account(
    session: Session,
    *,
    kind: str,
    username: str,
    password: str,
    display_name: str,
    id_number: str | None = None,
    representative_name: str | None = None,
    representative_id: str | None = None,
) -> Account:
    """Create an account after validating every field; Invalid names the field, Conflict a duplicate."""
    if kind not in ACCOUNT_KINDS:
        raise _invalid("kind", f"kind must be one of {', '.join(ACCOUNT_KINDS)}", "账户类型无效")
    username = validate_username(clean_username(username))
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 100:
        raise _invalid(
            "display_name", "A name of 1-100 characters is required", "请填写姓名或名称（1 至 100 字）"
        )
    check_policy(password, username)
    if kind == "person":
        id_number = validate_resident_id(id_number or "")
    elif kind == "legal":
        id_number = validate_uscc(id_number or "")
        representative_name = (representative_name or "").strip()
        if not representative_name:
            raise _invalid(
                "representative_name", "The legal representative's name is required", "请填写法定代表人姓名"
            )
        representative_id = validate_resident_id(representative_id or "", "representative_id")
    else:
        id_number = validate_resident_id(id_number) if id_number else None
    if session.scalar(select(Account.id).where(Account.username_key == username_key(username))) is not None:
        raise Conflict(
            "This user name is taken",
            "该用户名已被使用",
            code="username_taken",
            fields={"username": "该用户名已被使用 / This user name is taken"},
        )
    if (
        id_number
        and session.scalar(select(Account.id).where(Account.kind == kind, Account.id_number == id_number))
        is not None
    ):
        raise Conflict(
            "An account with this ID number already exists",
            "该证件号码已注册",
            code="id_number_taken",
            fields={"id_number": "该证件号码已注册 / Already registered"},
        )
    account = Account(
        kind=kind,
        username=username,
        username_key=username_key(username),
        display_name=display_name,
        id_number=id_number,
        representative_name=representative_name if kind == "legal" else None,
        representative_id=representative_id if kind == "legal" else None,
        password_hash=hash_password(password),
        active=True,
        version=1,
    )
    session.add(account)
    session.flush()
    return account


def account_by_username(session: Session, username: str) -> Account | None:
    """The account whose name compares equal to ``username`` (``username_key``)."""
    return session.scalar(select(Account).where(Account.username_key == username_key(username)))


def account_id_number(session: Session, account_id: int) -> str | None:
    """The identity number (resident id or USCC) an account was registered with, if any."""
    account = session.get(Account, account_id)
    return account.id_number if account is not None and account.id_number else None


def require_account(session: Session, username: str) -> Account:
    account = account_by_username(session, username)
    if account is None:
        raise NotFound(f"no account {username!r}", f"没有用户 {username}", fields={"user": "unknown"})
    return account


def set_password(session: Session, account: Account, password: str) -> None:
    check_policy(password, account.username)
    account.password_hash = hash_password(password)
    account.version += 1


def add_membership(
    session: Session, account_id: int, tenant: Any, department_code: str | None
) -> StaffMembership:
    """Make a staff account a member of ``tenant`` (and of one of its departments); idempotent."""
    account = session.get(Account, account_id)
    if account is None or account.kind != "staff":
        raise _invalid(
            "account",
            "Only staff accounts belong to tenants and departments",
            "只有工作人员账户可以加入机构和部门",
        )
    dept_id = None
    if department_code:
        dept_id = session.scalar(
            select(Department.id).where(Department.tenant_id == tenant.id, Department.code == department_code)
        )
        if dept_id is None:
            raise _invalid(
                "department",
                f"{tenant.code} has no department {department_code!r}",
                f"{tenant.name}没有代码为 {department_code} 的部门",
            )
    existing = session.scalar(
        select(StaffMembership).where(
            StaffMembership.account_id == account_id,
            StaffMembership.tenant_id == tenant.id,
            StaffMembership.department_id.is_(None)
            if dept_id is None
            else StaffMembership.department_id == dept_id,
        )
    )
    if existing is not None:
        return existing
    row = StaffMembership(
        account_id=account_id, tenant_id=tenant.id, tenant_path=tenant.path, department_id=dept_id
    )
    session.add(row)
    session.flush()
    from core.access.watcher import bump_policy

    bump_policy(session)  # memberships are cached per policy version (AccessControl.departments)
    return row


def departments_of(session: Session, account_id: int, tenant_id: int) -> list[Department]:
    """The departments of ``tenant_id`` that a staff account belongs to."""
    return list(
        session.scalars(
            select(Department)
            .join(StaffMembership, StaffMembership.department_id == Department.id)
            .where(StaffMembership.account_id == account_id, StaffMembership.tenant_id == tenant_id)
            .order_by(Department.code)
        )
    )


def department_names(session: Session, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The names of departments by (tenant id, department code), in one query: pages show a
    department's name, never its code (#13 item 9). Keys with no such department are left out."""
    wanted = {(t, c) for t, c in keys if c}
    if not wanted:
        return {}
    rows = session.execute(select(Department.tenant_id, Department.code, Department.name)
                           .where(Department.tenant_id.in_({t for t, _ in wanted}),
                                  Department.code.in_({c for _, c in wanted})))
    return {(t, c): name for t, c, name in rows if (t, c) in wanted}


def actor_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Display names behind actor labels (``staff:wang`` -> "王五"), in one query, for pages that show
    who did something (history, audit); labels of no account (``system:...``) are left out."""
    usernames = {a.split(":", 1)[1] for a in actors if ":" in a and not a.startswith("system:")}
    if not usernames:
        return {}
    rows = session.execute(select(Account.kind, Account.username, Account.display_name)
                           .where(Account.username.in_(usernames)))
    return {f"{kind}:{username}": name for kind, username, name in rows}
