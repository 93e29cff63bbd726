"""core.api.form_errors: a ValidationError or a DomainError as per-field messages for a page."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from core.api import DomainError, Invalid, error_zh, form_error_pairs, form_errors


class Holder(BaseModel):
    name: str = Field(min_length=1, max_length=5)


class Form(BaseModel):
    title: str = Field(min_length=1, max_length=10)
    note: str = Field(default="", min_length=0, max_length=3)
    code: str = Field(default="abc", min_length=3)
    count: int = Field(default=1, ge=1, le=9)
    day: date = date(2026, 1, 1)
    holders: list[Holder] = Field(default_factory=list)
    kinds: list[str] = Field(default=["a"], min_length=1)

    @field_validator("code")
    @classmethod
    def _upper(cls, v: str) -> str:
        if not v.isupper():
            raise ValueError("code must be upper case")
        return v


def _exc(**data: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Form.model_validate(data)
    return info.value


def test_chinese_first_english_beside_with_the_limit_from_the_context():
    errors = form_errors(_exc(title="x" * 11, count="many", day="31/12/2026", note="long"))
    assert errors["title"] == "内容过长（最多 10 个字符）：String should have at most 10 characters"
    assert errors["count"].startswith("应为整数：")
    assert errors["day"].startswith("日期格式应为 YYYY-MM-DD（年-月-日）：")
    assert errors["note"].startswith("内容过长（最多 3 个字符）")


def test_missing_and_empty_read_required_and_a_validator_message_loses_its_prefix():
    errors = form_errors(_exc(title="", code="ab", kinds=[]))
    assert errors["title"] == "必填：String should have at least 1 character"
    assert errors["code"].startswith("内容过短（至少 3 个字符）：")
    assert errors["kinds"].startswith("至少选择一项：")
    assert form_errors(_exc(code="ABc"))["title"].startswith("必填：")
    assert form_errors(_exc(title="t", code="abc"))["code"] == "格式不正确：code must be upper case"


def test_english_page_nested_paths_and_labels():
    exc = _exc(title="t", count=0, holders=[{"name": ""}])
    assert form_errors(exc, lang="en")["count"] == "Input should be greater than or equal to 1"
    assert "holders.0.name" in form_errors(exc)
    assert set(form_errors(exc, whole_path=False)) == {"count", "holders"}
    labelled = form_errors(exc, {"count": "数量"})
    assert labelled["数量 (count)"].startswith("数值过小（不能小于 1）：")
    assert "holders.0.name (holders.0.name)" in labelled
    assert set(form_errors(exc, {"count": "数量"}, lang="en")) == {"count", "holders.0.name"}


def test_pairs_keep_the_first_error_of_a_field():
    pairs = form_error_pairs(_exc(title="t", holders=[{"name": ""}, {"name": "toolong"}]), whole_path=False)
    assert pairs == {"holders": ("必填", "String should have at least 1 character")}


def test_domain_errors_speak_their_own_messages():
    exc = Invalid("Ends before it starts", "结束早于开始", fields={"end": "before start"})
    assert form_errors(exc) == {"end": "结束早于开始"}
    assert form_errors(exc, lang="en") == {"end": "Ends before it starts"}
    assert form_errors(exc, {"end": "结束"}) == {"结束 (end)": "结束早于开始"}
    assert form_error_pairs(exc) == {"end": ("结束早于开始", "Ends before it starts (before start)")}
    assert form_errors(DomainError("No", "不行")) == {"form": "不行"}
    assert form_error_pairs(DomainError("No", "不行")) == {"form": ("不行", "No")}
    with pytest.raises(TypeError):
        form_errors(ValueError("x"))


def test_error_zh_overrides_and_unknown_types():
    overrides = {"extra_forbidden": "不是价格文件的列"}
    assert error_zh({"type": "extra_forbidden"}, overrides) == "不是价格文件的列"
    assert error_zh({"type": "something_new"}) == "格式不正确"
    assert error_zh({"type": "string_too_long"}) == "内容过长"  # no context: the plain message
