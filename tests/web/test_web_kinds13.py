"""The web self-assessment page for an all_of leaf (issue 13): one Có/Không per named condition,
folded back into the one fact the rule reads, and shown again from a saved entry."""

from __future__ import annotations

from types import SimpleNamespace

from scoring.model import SECTION_AREA, Leaf
from scoring.rules import build_rule


def test_an_all_of_leaf_asks_each_condition_and_saves_them_as_one_fact():
    from web.views import _fact_fields, _fold_conditions, _parse_fact, _stated_fact

    rule = build_rule({"kind": "all_of", "conditions": [{"id": "nhiem_vu", "label": "Đã xác định đầy đủ nhiệm vụ"},
                                                        {"id": "kinh_phi", "label": "Đã bố trí kinh phí thực hiện"}]})
    leaf = Leaf("1.1", "Xác định nhiệm vụ và bố trí kinh phí", 100, SECTION_AREA, "1", rule)
    fields = _fact_fields(leaf)
    assert [(name, label, kind) for name, label, kind, _ in fields] == [
        ("conditions.nhiem_vu", "Đã xác định đầy đủ nhiệm vụ", "bool"), ("conditions.kinh_phi", "Đã bố trí kinh phí thực hiện", "bool")]
    posted = {"conditions.nhiem_vu": "true", "conditions.kinh_phi": "false"}
    facts = {name: _parse_fact(kind, posted[name], options)[0] for name, _, kind, options in fields}
    assert _fold_conditions(facts) == {"conditions": {"nhiem_vu": True, "kinh_phi": False}}
    entry = SimpleNamespace(facts={"conditions": {"nhiem_vu": True, "kinh_phi": False}})
    assert [_stated_fact(entry, name) for name, *_ in fields] == [True, False]
    assert _fold_conditions({"done": True}) == {"done": True}  # other kinds untouched
