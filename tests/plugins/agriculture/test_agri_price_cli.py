"""``govhall agriculture prices import FILE --tenant CODE``: the page's parser (one reader, one check),
all or nothing, each bad row named by row and column in Chinese and English, Chinese headers, GBK."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.api import ImportFile
from plugins.agriculture import prices
from plugins.agriculture.models import Price

GOOD = "day,product,market,price,unit\n2026-10-20,芹菜,东湖市场,4.20,kg\n2026-10-21,芹菜,东湖市场,4.35,kg\n"


def _count(platform, code="360102"):
    tenant = platform.directory.get(code)
    with platform.db.session(tenant.scope) as s:
        return len(prices.recent(s, "", date(2026, 1, 1)))


def test_a_good_file_is_imported_with_a_line_for_the_count(platform, cli, tmp_path):
    f = tmp_path / "prices.csv"
    f.write_text(GOOD, encoding="utf-8")
    r = cli("agriculture", "prices", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 0, r.output
    assert "imported 2 price(s)" in r.output and "已导入 2 条价格" in r.output
    assert _count(platform) == 2
    assert _count(platform, "360103") == 0


def test_chinese_headers_and_a_gbk_file_read_as_the_page_reads_them(platform, cli, tmp_path):
    f = tmp_path / "价格.csv"
    f.write_bytes("日期,产品,市场,价格\n2026-10-20,南昌藜蒿,东湖市场,12.5\n".encode("gbk"))
    r = cli("agriculture", "prices", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 0, r.output
    tenant = platform.directory.get("360102")
    with platform.db.session(tenant.scope) as s:
        [row] = prices.recent(s, "南昌藜蒿", date(2026, 1, 1))
    assert row.price_cents == 1250 and row.unit == "kg"


def test_a_bad_file_writes_nothing_and_names_each_row_and_column_in_both_languages(platform, cli, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "day,product,market,price\n"
        "2026-10-20,芹菜,东湖市场,4.20\n"  # fine, but the file is refused whole
        "2026-13-01,芹菜,东湖市场,4.30\n"  # row 3: no such month
        "2026-10-21,芹菜,东湖市场,abc\n"  # row 4: not a number
        "2026-10-20,芹菜,东湖市场,4.40\n"  # row 5: repeats row 2
        "2026-10-22,,东湖市场,-1\n",  # row 6: product empty, price not positive
        encoding="utf-8",
    )
    r = cli("agriculture", "prices", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 1
    out = r.output
    assert "nothing was imported" in out and "未导入任何记录" in out
    assert "row 3: day:" in out and "第 3 行 “日期（day）”列：日期格式应为 YYYY-MM-DD" in out
    assert "row 4: price:" in out and "第 4 行 “价格（price）”列：应为数字" in out
    assert (
        "row 5: day: same product, market and day as row 2" in out
        and "与第 2 行的产品、市场和日期相同" in out
    )
    assert "第 6 行 “产品（product）”列" in out and "第 6 行 “价格（price）”列：须大于 0" in out
    assert _count(platform) == 0


def test_a_price_already_entered_an_unknown_column_and_a_ragged_row_are_refused(platform, cli, tmp_path):
    ok = tmp_path / "ok.csv"
    ok.write_text(GOOD, encoding="utf-8")
    assert cli("agriculture", "prices", "import", str(ok), "--tenant", "360102").exit_code == 0
    r = cli("agriculture", "prices", "import", str(ok), "--tenant", "360102")
    assert (
        r.exit_code == 1
        and "row 2: day: a price for this product, market and day is already entered" in r.output
    )
    assert "该产品在该市场当天的价格已录入" in r.output
    bad = tmp_path / "cols.csv"
    bad.write_text(
        "day,product,market,price,colour\n2026-10-23,芹菜,甲,4,red\n2026-10-24,芹菜,甲,4,,x\n",
        encoding="utf-8",
    )
    r = cli("agriculture", "prices", "import", str(bad), "--tenant", "360102")
    assert r.exit_code == 1
    assert "row 2: colour" in r.output and "第 2 行 “colour”列：不是价格文件的列" in r.output
    assert "row 3: row: has 6 cells" in r.output and "单元格数多于表头的列数" in r.output
    assert _count(platform) == 2


def test_the_command_refuses_an_unknown_tenant_and_a_file_that_is_not_csv(platform, cli, tmp_path):
    f = tmp_path / "prices.csv"
    f.write_text(GOOD, encoding="utf-8")
    r = cli("agriculture", "prices", "import", str(f), "--tenant", "999999")
    assert r.exit_code != 0 and "no tenant" in r.output
    txt = tmp_path / "prices.txt"
    txt.write_text(GOOD, encoding="utf-8")
    r = cli("agriculture", "prices", "import", str(txt), "--tenant", "360102")
    assert (
        r.exit_code == 1
        and "use a .csv or .json file" in r.output
        and "请使用 .csv 或 .json 文件" in r.output
    )


def test_a_long_file_is_written_in_chunks_with_progress_in_one_transaction(platform):
    tenant = platform.directory.get("360102")
    rows = [
        (n + 2, {"day": "2026-10-20", "product": "芹菜", "market": f"市场{n}", "price": "4"})
        for n in range(2500)
    ]
    file = ImportFile("long.csv", rows)
    steps: list[int] = []
    with platform.db.transaction(tenant.scope) as s:
        checked = prices.check_file(s, tenant, file)
        assert prices.write_checked(s, tenant, file.name, checked, actor="t", progress=steps.append) == 2500
    assert steps == [1000, 1000, 500]
    with platform.db.session(tenant.scope) as s:
        assert s.scalar(select(func.count()).select_from(Price)) == 2500
