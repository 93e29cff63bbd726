"""Two API models with one class name (in two plugins, or a vendor's and the core's) are documented as two
components, each reference pointing at its own: before, the second silently took the first's schema."""

from __future__ import annotations

from pydantic import BaseModel, create_model

from core.web.api_docs import _Builder


def _models() -> tuple[type[BaseModel], type[BaseModel]]:
    item_a = create_model("Item", code=(str, ...), __module__="plugins.alpha.schemas")
    item_b = create_model("Item", amount=(int, ...), __module__="plugins.beta.schemas")
    answer_a = create_model("AnswerIn", items=(list[item_a], ...), __module__="plugins.alpha.schemas")
    answer_b = create_model("AnswerIn", items=(list[item_b], ...), reason=(str, ...),
                            __module__="plugins.beta.schemas")
    return answer_a, answer_b


def test_same_names_get_their_owners_prefix_and_true_references():
    a, b = _models()
    builder = _Builder(platform=None)
    assert builder.model_ref(a) == {"$ref": "#/components/schemas/AnswerIn"}
    assert builder.model_ref(b) == {"$ref": "#/components/schemas/BetaAnswerIn"}
    schemas = builder.schemas
    assert set(schemas["AnswerIn"]["properties"]) == {"items"}
    assert set(schemas["BetaAnswerIn"]["properties"]) == {"items", "reason"}
    assert schemas["AnswerIn"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Item"}
    assert schemas["BetaAnswerIn"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/BetaItem"}
    assert set(schemas["Item"]["properties"]) == {"code"}
    assert set(schemas["BetaItem"]["properties"]) == {"amount"}
    # The same model again changes nothing.
    assert builder.model_ref(b) == {"$ref": "#/components/schemas/BetaAnswerIn"}
    assert len(schemas) == 5  # Error, AnswerIn, Item, BetaAnswerIn, BetaItem
