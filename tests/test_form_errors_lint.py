"""One translation of pydantic's error types into Chinese (core.web.form_errors, exported by core.api
as ``form_errors``/``form_error_pairs``/``error_zh``). Eight plugins used to carry their own table, each a
little different; a lint over the source, like tests/test_clock_lint.py: a plugin module that defines a
mapping keyed by pydantic error types again fails here with the file and line. Likewise for uploads: a
plugin with a table of file types' first bytes (magic) checks uploads by itself (core.api.check_upload)."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

from pydantic_core import core_schema

ROOT = Path(__file__).resolve().parents[1]
ERROR_TYPES = set(typing.get_args(core_schema.ErrorType))
# The general messages: a mapping keyed by two error types, one of them general, is a copy of core's table
# (a single key such as ``missing`` is an ordinary word; a plugin may override a type or two whose message
# must say more, through ``error_zh(error, overrides)``).
GENERAL = {"missing", "string_too_short", "string_too_long", "int_parsing", "literal_error",
           "greater_than_equal", "less_than_equal", "date_parsing", "value_error", "bool_parsing"}


def _keys(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    return []


def _is_table(keys: list[str]) -> bool:
    types = [k for k in keys if k in ERROR_TYPES]
    return "string_too_long" in types or (len(types) >= 2 and bool(set(types) & GENERAL)) or len(types) >= 3


def test_no_plugin_translates_pydantic_error_types_itself():
    bad = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _is_table(keys := _keys(node)):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: a table of pydantic error types "
                           f"({', '.join(keys)}) -> core.api.form_errors / error_zh(error, overrides)")
    assert bad == [], "\n".join(bad)


def test_the_lint_sees_a_copy_and_lets_words_and_overrides_be():
    def table(source: str) -> bool:
        return _is_table(_keys(ast.parse(source, mode="eval").body))

    assert table('{"missing": "必填", "int_parsing": "应为整数"}')
    assert table('{"string_too_long": "内容过长"}')
    assert not table('{"missing": ["id"], "reason": "身份证明不清晰"}')
    assert not table('{"extra_forbidden": "不是价格文件的列", "decimal_parsing": "应为数字（元）"}')


# The same for uploads: the first bytes that prove a file's type live in core.web.uploads.FILE_TYPES
# (core.api.check_upload / check_uploads / detect_upload); a plugin with a magic number in a table or in
# a ``startswith`` is checking uploads by itself (making a file, as a demo does, is fine).
MAGIC = {b"%PDF", b"\x89PNG", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK", b"PK\x03\x04",
         b"\xd0\xcf\x11\xe0", b"AC10", b"GIF8", b"GIF89a"}


def _magic_checks(tree: ast.AST) -> list[ast.Constant]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            parts = [*node.keys, *node.values]
        elif isinstance(node, (ast.Set, ast.Tuple, ast.List)):
            parts = list(node.elts)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "startswith":
            parts = list(node.args)
        else:
            continue
        found += [p for p in parts if isinstance(p, ast.Constant) and p.value in MAGIC]
    return found


def test_no_plugin_checks_file_magic_itself():
    bad = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for node in _magic_checks(ast.parse(path.read_text(encoding="utf-8"))):
            bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r} -> core.api.FILE_TYPES "
                           "(check_upload, check_uploads, detect_upload)")
    assert bad == [], "\n".join(bad)


def test_the_magic_lint_sees_a_table_and_a_startswith_but_not_a_file_made():
    assert _magic_checks(ast.parse('T = {"pdf": ("application/pdf", b"%PDF")}'))
    assert _magic_checks(ast.parse('ok = data.startswith(b"\\xff\\xd8\\xff")'))
    assert not _magic_checks(ast.parse('png = b"\\x89PNG\\r\\n\\x1a\\n" + body'))
