"""The catalogue on a session (no HTTP): companies by credit code, products, listed prices versioned by
effective day at a tier (lower tiers inherit the province's), the CSV/JSON import of prices (all or
nothing, errors per row), manufacturers' authorisations, hospitals, and a hospital's choice of distributor
(refused for a supplier on the credit black list, when the credit plugin answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from core.api import Conflict, Invalid, NotFound, RowError, RowsRefused, audit, today
from plugins.medicine.models import Authorisation, Choice, Company, Hospital, ListedPrice, Product

MAX_CENTS = 10**13  # a hundred billion yuan per unit is surely wrong


def invalid(code: str, zh: str, en: str, field: str) -> Invalid:
    return Invalid(en, zh, code=code, fields={field: en})


def check_credit_code(code: str, field: str = "credit_code") -> str:
    code = (code or "").strip().upper()
    if not uscc.is_valid(code):
        raise invalid(
            "bad_credit_code", "统一社会信用代码无效", "not a valid unified social credit code", field
        )
    return code


def ancestor_paths(path: str) -> list[str]:
    """The tier paths whose prices a tenant at ``path`` inherits, the province first, itself last."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# --- companies and products ---------------------------------------------------------------------------


def add_company(
    s: Session, *, credit_code: str, name: str, kind: str, actor: str, tenant: Any = None
) -> Company:
    code = check_credit_code(credit_code)
    if kind not in ("manufacturer", "distributor"):
        raise invalid("bad_kind", "企业类型应为生产企业或配送企业", "manufacturer or distributor", "kind")
    if s.scalar(select(Company.id).where(Company.credit_code == code)) is not None:
        raise Conflict(
            "A company with this credit code exists",
            "该统一社会信用代码的企业已存在",
            code="duplicate",
            fields={"credit_code": "duplicate"},
        )
    c = Company(credit_code=code, name=name.strip(), kind=kind)
    s.add(c)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.company.add",
        tenant=tenant,
        target=f"medicine.company:{c.id}",
        details={"credit_code": code, "kind": kind},
    )
    return c


def company_by_code(s: Session, code: str) -> Company | None:
    return s.scalar(select(Company).where(Company.credit_code == code.strip().upper()))


@dataclass(frozen=True)
class ProductIn:
    code: str
    generic_name: str
    dosage_form: str
    strength: str
    package: str
    manufacturer_code: str
    approval_number: str
    atc_code: str = ""


def add_product(s: Session, data: ProductIn, *, actor: str, tenant: Any = None) -> Product:
    maker = company_by_code(s, data.manufacturer_code)
    if maker is None or maker.kind != "manufacturer":
        raise invalid("unknown_manufacturer", "生产企业未登记", "no such manufacturer", "manufacturer_code")
    if s.scalar(select(Product.id).where(Product.code == data.code)) is not None:
        raise Conflict(
            "A product with this code exists",
            "该产品编码已存在",
            code="duplicate",
            fields={"code": "duplicate"},
        )
    p = Product(
        code=data.code,
        generic_name=data.generic_name,
        dosage_form=data.dosage_form,
        strength=data.strength,
        package=data.package,
        manufacturer_id=maker.id,
        approval_number=data.approval_number,
        atc_code=data.atc_code,
    )
    s.add(p)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.product.add",
        tenant=tenant,
        target=f"medicine.product:{p.id}",
        details={"code": p.code, "manufacturer": maker.credit_code},
    )
    return p


def product(s: Session, product_id: int) -> Product:
    p = s.get(Product, product_id)
    if p is None:
        raise NotFound(
            "No such product", "没有该产品", code="unknown_product", fields={"product_id": "unknown"}
        )
    return p


# --- listed prices --------------------------------------------------------------------------------------


def in_force(tier_paths: list[str], on: date) -> Any:
    """The listed-price rows a tenant may use on ``on``: its own and its ancestors', already effective."""
    return and_(ListedPrice.tier_path.in_(tier_paths), ListedPrice.effective_from <= on)


def listed_prices(s: Session, product_ids: list[int], tenant_path: str, on: date) -> dict[int, ListedPrice]:
    """Per product, the price in force on ``on`` for a tenant: the deepest tier that listed one, its latest
    version effective by then (one query for a page of products)."""
    if not product_ids:
        return {}
    rows = s.scalars(
        select(ListedPrice)
        .where(ListedPrice.product_id.in_(product_ids), in_force(ancestor_paths(tenant_path), on))
        .order_by(ListedPrice.product_id, func.length(ListedPrice.tier_path), ListedPrice.effective_from)
    ).all()
    out: dict[int, ListedPrice] = {}
    for r in rows:  # ordered: shallow and old first, so the last one written wins
        out[r.product_id] = r
    return out


def listed_price(s: Session, product_id: int, tenant_path: str, on: date) -> ListedPrice:
    lp = listed_prices(s, [product_id], tenant_path, on).get(product_id)
    if lp is None:
        raise invalid(
            "not_listed", "该产品在本地区未挂网", "the product has no listed price here", "product_id"
        )
    return lp


def _check_price(cents: Any, field: str = "price_cents") -> int:
    if isinstance(cents, bool) or not isinstance(cents, int) or not 1 <= cents <= MAX_CENTS:
        raise invalid("bad_price", "价格应为正整数（分）", "a positive whole number of cents", field)
    return cents


def set_price(
    s: Session,
    platform: Any,
    tier: Any,
    product_id: int,
    *,
    price_cents: int,
    effective_from: date,
    actor: str,
    note: str = "",
) -> ListedPrice:
    """A new version of the tier's listed price; a day already passed cannot be rewritten."""
    product(s, product_id)
    _check_price(price_cents)
    if effective_from < today(platform, tier):
        raise invalid(
            "past_effective_date",
            "生效日期不能早于今天",
            "the effective day cannot be in the past",
            "effective_from",
        )
    existing = s.scalar(
        select(ListedPrice).where(
            ListedPrice.product_id == product_id,
            ListedPrice.tier_path == tier.path,
            ListedPrice.effective_from == effective_from,
        )
    )
    if existing is not None:
        raise Conflict(
            "A price for that day is listed already",
            "该日期已有挂网价格版本",
            code="duplicate",
            fields={"effective_from": "duplicate"},
        )
    lp = ListedPrice(
        product_id=product_id,
        tier_tenant_id=tier.id,
        tier_path=tier.path,
        price_cents=price_cents,
        effective_from=effective_from,
        set_by=actor,
        note=note,
    )
    s.add(lp)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.price.set",
        tenant=tier,
        target=f"medicine.product:{product_id}",
        details={"price_cents": price_cents, "effective_from": effective_from.isoformat()},
    )
    return lp


def price_history(s: Session, product_id: int, tenant_path: str) -> list[ListedPrice]:
    return list(
        s.scalars(
            select(ListedPrice)
            .where(
                ListedPrice.product_id == product_id, ListedPrice.tier_path.in_(ancestor_paths(tenant_path))
            )
            .order_by(ListedPrice.effective_from.desc(), func.length(ListedPrice.tier_path).desc())
        )
    )


PRICE_COLUMNS = ("product_code", "price_cents", "effective_from")


def _price_row(n: int, row: dict[str, Any], codes: dict[str, int], floor: date) -> tuple[list[RowError], Any]:
    errors: list[RowError] = []
    pid = codes.get(str(row.get("product_code") or "").strip())
    if pid is None:
        errors.append(RowError(n, "product_code", "unknown product / 未知产品"))
    try:
        cents = int(str(row.get("price_cents", "")).strip())
        _check_price(cents)
    except (ValueError, Invalid):
        errors.append(RowError(n, "price_cents", "a positive whole number of cents / 价格应为正整数（分）"))
        cents = 0
    try:
        day = date.fromisoformat(str(row.get("effective_from", "")).strip())
        if day < floor:
            errors.append(RowError(n, "effective_from", "in the past / 生效日期早于今天"))
    except ValueError:
        errors.append(RowError(n, "effective_from", "a day as YYYY-MM-DD / 日期格式应为 YYYY-MM-DD"))
        day = floor
    return errors, (pid, cents, day)


def import_prices(
    s: Session,
    platform: Any,
    tier: Any,
    name: str,
    rows: list[tuple[int, dict[str, Any]]],
    *,
    actor: str,
) -> int:
    """Listed prices from numbered rows (``core.api.read_import``): every row is checked first and any error
    refuses the whole file (``RowsRefused`` naming row and column); otherwise one version per row."""
    wanted = {str(r.get("product_code") or "").strip() for _n, r in rows}
    codes = dict(s.execute(select(Product.code, Product.id).where(Product.code.in_(wanted))).all())
    floor = today(platform, tier)
    errors: list[RowError] = []
    parsed: list[tuple[int, tuple[int, int, date]]] = []
    seen: dict[tuple[int, date], int] = {}
    for n, row in rows:
        errs, value = _price_row(n, row, codes, floor)
        errors += errs
        if not errs:
            key = (value[0], value[2])
            if key in seen:
                errors.append(
                    RowError(
                        n,
                        "effective_from",
                        f"same product and day as row {seen[key]} / 与第 {seen[key]} 行重复",
                    )
                )
            seen[key] = n
            parsed.append((n, value))
    if parsed:
        taken = set(
            s.execute(
                select(ListedPrice.product_id, ListedPrice.effective_from).where(
                    ListedPrice.tier_path == tier.path, ListedPrice.product_id.in_({v[0] for _n, v in parsed})
                )
            ).all()
        )
        errors += [
            RowError(n, "effective_from", "a price for that day is listed already / 该日期已有价格")
            for n, v in parsed
            if (v[0], v[2]) in taken
        ]
    if errors:
        raise RowsRefused(name, errors, len(rows))
    for _n, (pid, cents, day) in parsed:
        s.add(
            ListedPrice(
                product_id=pid,
                tier_tenant_id=tier.id,
                tier_path=tier.path,
                price_cents=cents,
                effective_from=day,
                set_by=actor,
                note=f"import {name}",
            )
        )
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.price.import",
        tenant=tier,
        target=f"medicine.import:{name}",
        details={"rows": len(parsed)},
    )
    return len(parsed)


def search(s: Session, tenant_path: str, on: date, q: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """The public listed-price search: products matching ``q`` (name, code, approval number, maker) with the
    price in force here today."""
    stmt = select(Product, Company.name).join(Company, Company.id == Product.manufacturer_id)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                Product.generic_name.like(like),
                Product.code.like(like),
                Product.approval_number.like(like),
                Company.name.like(like),
            )
        )
    rows = s.execute(stmt.order_by(Product.generic_name, Product.id).limit(limit)).all()
    prices = listed_prices(s, [p.id for p, _ in rows], tenant_path, on)
    return [{"product": p, "manufacturer": maker, "price": prices.get(p.id)} for p, maker in rows]


# --- authorisations, hospitals, choices ----------------------------------------------------------------


def authorise(
    s: Session, product_id: int, distributor_code: str, *, actor: str, tenant: Any = None
) -> Authorisation:
    p = product(s, product_id)
    d = company_by_code(s, check_credit_code(distributor_code, "distributor_code"))
    if d is None or d.kind != "distributor":
        raise invalid("unknown_distributor", "配送企业未登记", "no such distributor", "distributor_code")
    found = s.scalar(
        select(Authorisation).where(Authorisation.product_id == p.id, Authorisation.distributor_id == d.id)
    )
    if found is not None:
        return found
    a = Authorisation(product_id=p.id, distributor_id=d.id)
    s.add(a)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.authorisation.add",
        tenant=tenant,
        target=f"medicine.product:{p.id}",
        details={"distributor": d.credit_code},
    )
    return a


def add_hospital(s: Session, tenant: Any, *, credit_code: str, name: str, grade: str, actor: str) -> Hospital:
    code = check_credit_code(credit_code)
    if s.scalar(select(func.count()).select_from(Hospital).where(Hospital.credit_code == code)):
        raise Conflict(
            "This hospital is registered",
            "该医疗机构已登记",
            code="duplicate",
            fields={"credit_code": "duplicate"},
        )
    h = Hospital(
        tenant_id=tenant.id, tenant_path=tenant.path, credit_code=code, name=name.strip(), grade=grade
    )
    s.add(h)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.hospital.add",
        tenant=tenant,
        target=f"medicine.hospital:{h.id}",
        details={"credit_code": code},
    )
    return h


def hospital_of(s: Session, tenant: Any, credit_code: str) -> Hospital:
    """The hospital of this tenant whose legal person is acting; anyone else is refused."""
    h = s.scalar(
        select(Hospital).where(
            Hospital.tenant_id == tenant.id, Hospital.credit_code == (credit_code or "").upper()
        )
    )
    if h is None:
        raise NotFound(
            "Your account is not a hospital of this hall",
            "当前账号不是本级医疗机构",
            code="not_a_hospital",
            fields={"account": "not a hospital here"},
        )
    return h


def credit_lists(s: Session, platform: Any, tenant: Any, code: str, name: str) -> list[str]:
    """The credit lists (``black`` ...) whoever answers ``credit.subject`` reports; [] with credit off."""
    batches = platform.hooks(tenant).govhall_checks(
        check="credit.subject",
        subject={"kind": "legal", "id_number": code, "name": name, "purpose": "medicine.supplier"},
        tenant=tenant,
        session=s,
    )
    lists: list[str] = []
    for f in (f for batch in batches for f in (batch or [])):
        if f.source == "credit" and "lists" in f.facts:
            lists += [str(x) for x in f.facts.get("lists") or []]
    return lists


def refuse_blacklisted(s: Session, platform: Any, tenant: Any, company: Company, field: str) -> None:
    if "black" in credit_lists(s, platform, tenant, company.credit_code, company.name):
        raise invalid(
            "blacklisted",
            f"{company.name}被列入严重失信主体名单（黑名单），不得选用",
            f"{company.name} is on the credit black list and cannot be chosen",
            field,
        )


def choose(
    s: Session,
    platform: Any,
    tenant: Any,
    hospital: Hospital,
    product_id: int,
    distributor_code: str,
    *,
    actor: str,
) -> Choice:
    """The hospital picks the distributor of a product: one the manufacturer authorised, neither of them on
    the black list."""
    p = product(s, product_id)
    d = company_by_code(s, distributor_code)
    if (
        d is None
        or s.scalar(
            select(Authorisation.id).where(
                Authorisation.product_id == p.id, Authorisation.distributor_id == d.id
            )
        )
        is None
    ):
        raise invalid(
            "not_authorised",
            "该配送企业未获生产企业授权配送此产品",
            "the manufacturer has not authorised this distributor for the product",
            "distributor_code",
        )
    maker = s.get(Company, p.manufacturer_id)
    assert maker is not None
    refuse_blacklisted(s, platform, tenant, maker, "product_id")
    refuse_blacklisted(s, platform, tenant, d, "distributor_code")
    c = s.scalar(select(Choice).where(Choice.hospital_id == hospital.id, Choice.product_id == p.id))
    if c is None:
        c = Choice(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            hospital_id=hospital.id,
            product_id=p.id,
            distributor_id=d.id,
        )
        s.add(c)
    else:
        c.distributor_id = d.id
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.choice.set",
        tenant=tenant,
        target=f"medicine.hospital:{hospital.id}",
        details={"product_id": p.id, "distributor": d.credit_code},
    )
    return c
