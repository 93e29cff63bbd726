"""The catalogue on the real database: listed prices versioned by effective day with lower tiers inheriting
the province's, the all-or-nothing import with row errors, credit codes checked, authorised distributors,
and the black list through the credit hook (and unchanged with credit off)."""

from __future__ import annotations

from datetime import date

import pytest
from medicine_helpers import DAY, DIST, HOSPITAL, MAKER, OTHER_DIST, world
from sqlalchemy import func, select

from core.api import Conflict, Invalid, RowsRefused
from core.db import Scope
from plugins.medicine import catalogue, orders
from plugins.medicine.models import ListedPrice


def test_lower_tiers_inherit_and_may_list_lower_versions_by_effective_day(platform):
    w = world(platform)
    pid = w.products[0]
    with platform.db.transaction(Scope.system()) as s:
        catalogue.set_price(
            s, platform, w.province, pid, price_cents=1200, effective_from=date(2027, 1, 1), actor="t"
        )
        catalogue.set_price(
            s, platform, w.nanchang, pid, price_cents=1150, effective_from=date(2026, 12, 10), actor="t"
        )
        donghu, county = w.donghu.path, platform.directory.get("360121").path
        assert catalogue.listed_price(s, pid, donghu, DAY).price_cents == 1260  # the province's, inherited
        assert catalogue.listed_price(s, pid, donghu, date(2026, 12, 10)).price_cents == 1150  # Nanchang's
        assert (
            catalogue.listed_price(s, pid, county, date(2026, 12, 10)).price_cents == 1150
        )  # below Nanchang
        assert (
            catalogue.listed_price(s, pid, "360000/360400", date(2027, 1, 1)).price_cents == 1200
        )  # Jiujiang
        assert [v.price_cents for v in catalogue.price_history(s, pid, donghu)] == [1200, 1150, 1260]
        with pytest.raises(Invalid) as e:
            catalogue.set_price(
                s, platform, w.province, pid, price_cents=1, effective_from=date(2026, 11, 30), actor="t"
            )
        assert "effective_from" in e.value.fields
        with pytest.raises(Conflict):
            catalogue.set_price(s, platform, w.province, pid, price_cents=5, effective_from=DAY, actor="t")


def test_import_is_all_or_nothing_and_names_row_and_column(platform):
    w = world(platform)
    rows = [
        (1, {"product_code": "YP0000", "price_cents": "1100", "effective_from": "2027-02-01"}),
        (2, {"product_code": "NOPE", "price_cents": "1100", "effective_from": "2027-02-01"}),
        (3, {"product_code": "YP0001", "price_cents": "12.5", "effective_from": "2027-02-01"}),
        (4, {"product_code": "YP0001", "price_cents": "700", "effective_from": "next week"}),
        (5, {"product_code": "YP0000", "price_cents": "1000", "effective_from": "2027-02-01"}),
    ]
    with platform.db.transaction(Scope.system()) as s:
        before = s.scalar(select(func.count()).select_from(ListedPrice))
        with pytest.raises(RowsRefused) as e:
            catalogue.import_prices(s, platform, w.province, "prices.csv", rows, actor="t")
        assert set(e.value.fields) == {
            "row 2.product_code",
            "row 3.price_cents",
            "row 4.effective_from",
            "row 5.effective_from",
        }
        assert s.scalar(select(func.count()).select_from(ListedPrice)) == before
        assert catalogue.import_prices(s, platform, w.province, "prices.csv", rows[:1], actor="t") == 1
        assert catalogue.listed_price(s, w.products[0], w.donghu.path, date(2027, 2, 1)).price_cents == 1100


def test_credit_codes_are_checked_and_only_authorised_distributors_chosen(platform):
    w = world(platform)
    with platform.db.transaction(Scope.system()) as s:
        with pytest.raises(Invalid) as e:
            catalogue.add_company(
                s, credit_code="91360100MA35123450", name="x", kind="distributor", actor="t"
            )
        assert e.value.code == "bad_credit_code"
    with platform.db.transaction(w.donghu.scope) as s:
        h = catalogue.hospital_of(s, w.donghu, HOSPITAL)
        with pytest.raises(Invalid) as e:
            catalogue.choose(s, platform, w.donghu, h, w.products[0], OTHER_DIST, actor="t")
        assert e.value.code == "not_authorised" and "distributor_code" in e.value.fields


def _credit_helpers():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "credit"))
    import credit_helpers

    return credit_helpers


def test_black_listed_suppliers_cannot_be_chosen_or_ordered_from_and_credit_off_changes_nothing(platform):
    w = world(platform)
    helpers = _credit_helpers()
    helpers.listed(platform, MAKER, "black")  # the maker of a product already chosen: its listing suspended
    with platform.db.transaction(w.donghu.scope) as s, pytest.raises(Invalid) as e:
        h = catalogue.hospital_of(s, w.donghu, HOSPITAL)
        orders.create(s, platform, w.donghu, h, [orders.LineIn(w.products[0], 1, 1000)], actor="t")
    assert (
        e.value.code == "blacklisted" and "lines" in e.value.fields and "江西济民制药" in e.value.message_zh
    )
    helpers.listed(platform, DIST, "black")
    with platform.db.transaction(w.donghu.scope) as s:
        h = catalogue.hospital_of(s, w.donghu, HOSPITAL)
        with pytest.raises(Invalid) as e:
            catalogue.choose(s, platform, w.donghu, h, w.products[0], DIST, actor="t")
        assert e.value.code == "blacklisted" and "黑名单" in e.value.message_zh
    helpers.switch(platform, "360102", "credit", "off")
    with platform.db.transaction(w.donghu.scope) as s:
        h = catalogue.hospital_of(s, w.donghu, HOSPITAL)
        assert catalogue.choose(s, platform, w.donghu, h, w.products[0], DIST, actor="t").distributor_id
        assert orders.create(s, platform, w.donghu, h, [orders.LineIn(w.products[0], 1, 1000)], actor="t").id


def test_the_csv_import_command_refuses_a_bad_file_whole(platform, cli, tmp_path):
    world(platform)
    bad = tmp_path / "prices.csv"
    bad.write_text(
        "product_code,price_cents,effective_from\nYP0000,1100,2027-03-01\nYP0001,abc,2027-03-01\n",
        encoding="utf-8",
    )
    r = cli("medicine", "import-prices", str(bad), "--tenant", "360000")
    assert r.exit_code == 1 and "row 3: price_cents" in r.output
    good = tmp_path / "ok.csv"
    good.write_text("product_code,price_cents,effective_from\nYP0000,1100,2027-03-01\n", encoding="utf-8")
    r = cli("medicine", "import-prices", str(good), "--tenant", "360000")
    assert r.exit_code == 0 and "imported 1" in r.output
