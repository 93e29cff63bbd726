"""Generate a Jiangxi-scale tenant tree as a TOML file valid for ``govhall tenants apply``.

1 province, 11 cities, 110 counties (10 each), 1,540 townships (14 each), 20,020 villages (13 each):
21,682 tenants, the scale DESIGN §8 plans for. Codes follow GB/T 2260 lengths (6/6/6/9/12 digits) but
are synthetic below the province. Counties get three departments each; ``--plugins`` switches the named
plugins on at the province and, to give the directory something to compute, off at every third
county and locked at the first city.

    python bench/gen_tree.py --out var/bench_tree.toml --plugins approval,credit
"""

from __future__ import annotations

import argparse
from pathlib import Path

CITIES, COUNTIES, TOWNSHIPS, VILLAGES = 11, 10, 14, 13
DEPARTMENTS = (("office", "办公室", "Office"), ("finance", "财政局", "Finance Bureau"),
               ("market", "市场监督管理局", "Market Regulation Bureau"))


def _entry(code: str, parent: str | None, name: str, name_en: str, level: str, extra: str = "") -> str:
    head = f'[[tenants]]\ncode = "{code}"\n' + (f'parent = "{parent}"\n' if parent else "")
    return f'{head}name = "{name}"\nname_en = "{name_en}"\nlevel = "{level}"\n{extra}\n'


def _switches(plugins: list[str], state: str, lock: bool = False) -> str:
    if not plugins:
        return ""
    body = ", ".join(f'{p} = "{state}"' for p in plugins)
    locks = ("lock = [" + ", ".join(f'"{p}"' for p in plugins) + "]\n") if lock else ""
    return f"plugins = {{ {body} }}\n{locks}"


def generate(plugins: list[str]) -> tuple[str, int]:
    """The TOML text and the number of tenants in it."""
    out = ["version = 1\n\n", _entry("360000", None, "江西省", "Jiangxi Province", "province",
                                      _switches(plugins, "on"))]
    count = 1
    for c in range(1, CITIES + 1):
        city = f"36{c:02d}00"
        out.append(_entry(city, "360000", f"第{c}市", f"City {c}", "city",
                          _switches(plugins[:1], "on", lock=True) if c == 1 else ""))
        count += 1
        for k in range(1, COUNTIES + 1):
            county = f"36{c:02d}{k:02d}"
            deps = "".join(f'\n  [[tenants.departments]]\n  code = "{d}"\n  name = "{zh}"\n'
                           f'  name_en = "{en}"\n' for d, zh, en in DEPARTMENTS)
            off = _switches(plugins[1:], "off") if k % 3 == 0 else ""
            out.append(_entry(county, city, f"第{c}市第{k}县", f"County {c}-{k}", "county", off + deps))
            count += 1
            for t in range(1, TOWNSHIPS + 1):
                township = f"{county}{t:03d}"
                out.append(_entry(township, county, f"第{t}镇", f"Town {t}", "township"))
                count += 1
                for v in range(1, VILLAGES + 1):
                    out.append(_entry(f"{township}{v:03d}", township, f"第{v}村", f"Village {v}", "village"))
                    count += 1
    return "".join(out), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("var/bench_tree.toml"))
    parser.add_argument("--plugins", default="", help="comma-separated plugin names to switch")
    args = parser.parse_args()
    text, count = generate([p for p in args.plugins.split(",") if p])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {count} tenants, {len(text) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
