"""results.json's fast path (issue 19) writes what the plain path writes, byte for byte.

The plain path: a LeafResult per leaf, its reason worded afresh (no memo), ``_leaf`` per
entry, ``json.dumps`` of the whole document. The fast path: entries from the run's rows
(``_leaf_entries``), reasons worded once per distinct sentence (the run's memo), msgspec
structs and msgspec's encoder, commune by commune.
"""

import dataclasses
import json
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from scoring.engine import score
from scoring.load import load_inputs
from scoring.rules.ratio_thresholds import RatioThresholds
from scoring.rules.thresholds import Threshold
from scoring.writers import results_json
from scoring.writers.results_json import INDENT_UP_TO, _leaf, results_document, stream_results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402

TIME = "2024-02-01T08:00:00+07:00"
COMMUNES = 260  # above INDENT_UP_TO: a national layout


def plain_document(results, files) -> dict:
    """The results document built the plain way: LeafResults, reasons without the memo, _leaf."""
    document = results_document(results, files, generated_at=TIME, leaves="none")
    for entry, commune in zip(document["communes"], results.communes):
        entry["leaves"] = [_leaf(dataclasses.replace(result, memo=None)) for result in commune.leaf_results()]
    return document


def plain_bytes(document: dict) -> bytes:
    layout = {"indent": 2} if len(document["communes"]) <= INDENT_UP_TO else {"separators": (",", ":")}
    return (json.dumps(document, ensure_ascii=False, **layout) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    generate(folder, COMMUNES, leaves=60)
    inputs = load_inputs(folder / "criteria.json", folder / "communes", folder / "appraisal.json", folder / "survey.json")
    return inputs, score(inputs)


def test_a_national_results_json_is_json_dumps_of_the_plain_document(national, tmp_path):
    inputs, results = national
    assert len(results.communes) > INDENT_UP_TO
    expected = plain_bytes(plain_document(results, inputs.files))
    for keep in ("none", "flagged"):
        stream_results(results, inputs.files, generated_at=TIME, target=tmp_path / "results.json", keep=keep, workers=1)
        assert (tmp_path / "results.json").read_bytes() == expected, keep
    assert b"\n  " not in expected


def test_the_light_entries_kept_while_streaming_are_those_of_the_light_document(national, tmp_path):
    inputs, results = national
    kept = stream_results(results, inputs.files, generated_at=TIME, target=tmp_path / "results.json", keep="flagged",
                          workers=1)
    light = results_document(results, inputs.files, generated_at=TIME, leaves="flagged")
    assert kept["communes"] == light["communes"]
    assert sum(len(commune["leaves"]) for commune in kept["communes"]) > 100


def test_the_bundled_example_is_the_plain_document(tmp_path):
    inputs = load_inputs()
    results = score(inputs)
    expected = plain_bytes(plain_document(results, inputs.files))
    stream_results(results, inputs.files, generated_at=TIME, target=tmp_path / "results.json")
    assert (tmp_path / "results.json").read_bytes() == expected
    assert results_document(results, inputs.files, generated_at=TIME) == json.loads(expected)


def test_remembered_reasons_are_the_reasons_worded_afresh(national):
    _, results = national
    seen = 0
    for commune in results.communes[:80]:
        for result in commune.leaf_results():  # with the run's memo, filled as it goes
            assert result.reason == dataclasses.replace(result, memo=None).reason, result.leaf.code
            seen += 1
    assert seen > 4000
    assert results.communes[0]._run.reasons  # the memo was used


def test_a_fact_that_is_a_float_zero_is_not_taken_for_another(national):
    """-0.0, 0.0 and 0 are equal and hash alike: the memo's key tells them apart by repr and type."""
    from scoring.engine import reason_key

    _, results = national
    result = results.communes[0].leaf_results()[0]
    keys = {reason_key(result.leaf, {"facts": {"value": value}}, (), (), None, 0, 100, None, False, False, 0, None)
            for value in (-0.0, 0.0, 0, False)}
    assert len(keys) == 4
    from scoring.engine import _scored_key  # the common case's key (issue 19) as well
    assert len({_scored_key("1.1", 0, 0, {"value": value}) for value in (-0.0, 0.0, 0, False)}) == 4
    assert _scored_key("1.1", 0, 0, {"conditions": {"a": True}}) is None  # not hashable: worded each time


bounds = st.decimals(min_value=0, max_value=100, places=3).map(Fraction)


@given(st.lists(st.tuples(bounds, st.booleans()), min_size=1, max_size=4, unique_by=lambda t: t[0]),
       st.integers(0, 5000), st.integers(1, 5000))
def test_a_ratio_in_whole_counts_is_worded_as_the_exact_path_words_it(thresholds, numerator, denominator):
    ordered = sorted(thresholds, key=lambda t: t[0], reverse=True)
    rule = RatioThresholds("Số hồ sơ đúng hạn", "Tổng số hồ sơ",
                           tuple(Threshold(at, 100 * (len(ordered) - i), strict) for i, (at, strict) in enumerate(ordered)),
                           0)
    fast = rule._whole_detail(numerator, denominator)
    exact = rule.detail(None, {"numerator": float(numerator), "denominator": float(denominator)}, 0)  # Fractions
    if fast is not None:
        assert fast == exact.replace(f"{float(numerator)}/{float(denominator)}", f"{numerator}/{denominator}")
    assert rule.detail(None, {"numerator": numerator, "denominator": denominator}, 0) == \
        exact.replace(f"{float(numerator)}/{float(denominator)}", f"{numerator}/{denominator}")


@given(st.integers(0, 400), st.integers(1, 400))
def test_ratios_that_round_onto_a_bound_they_miss(numerator, denominator):
    """Bounds with two decimals, where two decimals of the ratio may read as the bound."""
    rule = RatioThresholds("Đúng hạn", "Tổng", (Threshold(Fraction(9001, 100), 200, False),
                                                 Threshold(Fraction(50), 100, True), Threshold(Fraction(1, 3), 50)), 0)
    exact = rule.detail(None, {"numerator": float(numerator), "denominator": float(denominator)}, 0)
    assert rule.detail(None, {"numerator": numerator, "denominator": denominator}, 0) == \
        exact.replace(f"{float(numerator)}/{float(denominator)}", f"{numerator}/{denominator}")


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
plain_data = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=20)


@given(plain_data)
def test_indented_text_is_what_json_indents(value):
    assert results_json.encode_indented(value) == json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def test_indented_edge_cases():
    for value in [[], {}, [[]], {"a": {}}, {"a": [], "b": [{}]}, "", "\x00\x1f\u2028\\\"", [1e16, 1e-05, 2 ** 70],
                  {"x": [None, True, False, -0.0, 0.1]}, [chr(c) for c in range(0, 0x3000)]]:
        assert results_json.encode_indented(value) == json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8"), value


def test_the_light_entries_are_those_built_the_plain_way(national):
    _, results = national
    from scoring.writers.results_json import LISTED_FLAGS, _leaf_entries, _listed

    seen = 0
    for commune in results.communes:
        plain = [_listed(dataclasses.replace(result, memo=None)) for result in commune.leaf_results(LISTED_FLAGS)]
        assert _leaf_entries(commune, listed=True) == plain, commune.code
        seen += len(plain)
    assert seen > 100


def test_a_first_document_reason_read_from_the_json_is_the_reason_worded_afresh(national):
    """_first_document_reason (issue 19: no LeafReport per deadline leaf) words what leaf_reason
    words: documents of a type not accepted, two on the same day, a number written with
    look-alikes, a document listed twice, none at all, late and on time."""
    from scoring.engine import leaf_reason_text

    _, results = national
    leaf = next(leaf for leaf in results.criteria.leaves if leaf.rule.kind == "deadline")
    accepted = leaf.evidence_types[0] if leaf.evidence_types else "KH"
    day = leaf.rule.deadline

    def document(number, date):
        return {"number": number, "date": date.isoformat(), "title": "Văn bản", "issuer": "UBND xã"}

    cases = [
        [],
        [document(f"12/{accepted}-UBND", day)],
        [document("5/XYZ-UBND", day.replace(day=1)), document(f"7/{accepted}-UBND", day)],
        [document(f"9/{accepted}-UBND", day), document(f"8/{accepted}-UBND", day)],
        [document("12/QÐ–UBND", day), document(f"12/{accepted}-UBND", day)],
        [document(f"3/{accepted}-UBND", day.replace(year=day.year + 1)), document(f"3/{accepted}-UBND", day)],
        [document("4/XYZ-UBND", day), document("13/QD-UBND", day)],
    ]
    seen = 0
    for evidence in cases:
        raw = {"facts": {}, "evidence": evidence} if evidence else {}
        for final in (0, leaf.max):
            fields = (leaf, raw, (), None, None, None, final, leaf.max, None, False, False, final, None)
            assert leaf_reason_text(*fields, {}) == leaf_reason_text(*fields, None), evidence
            seen += 1
    assert seen == 14


def test_facts_written_once_are_told_apart_by_their_class(national):
    """The file's facts of a repeating kind are shared per distinct facts (_facts_entry):
    True, 1 and 1.0 are equal and hash alike, but each is written as it was read."""
    from scoring.writers.results_json import _facts_entry, _facts_of

    _, results = national
    leaf = next(leaf for leaf in results.criteria.leaves if leaf.rule.reasons_repeat and leaf.rule.kind != "survey")
    written: dict = {}
    for value in (True, 1, 1.0, -0.0, 0.0, 0, False, "1", None, [1], {"a": 1}) * 2:
        raw = {"facts": {"done": value}}
        assert json.dumps(_facts_entry(leaf, raw, None, written)) == json.dumps(_facts_of(leaf, raw, None)), value
    assert len(written) == 9


def test_a_float_json_writes_with_an_exponent_sends_the_entry_to_json(monkeypatch):
    """A national entry's text is not scanned while every number of the run is one json and
    msgspec write alike (_NUMBERS.wide); one that is not (1e+16) sends it to encode_compact."""
    from scoring.writers.results_json import _Numbers, _encode_entry

    numbers = _Numbers()
    monkeypatch.setattr(results_json, "_NUMBERS", numbers)
    entry = {"total": numbers[8513], "max": numbers[10000], "zero": numbers[0], "text": "1e5 và 0.00001"}
    assert not numbers.wide and _encode_entry(entry) == json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    entry["huge"] = numbers[10 ** 18 + 1]
    assert numbers.wide
    assert _encode_entry(entry) == json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    assert b"1e+16" in _encode_entry(entry)


def test_a_reported_value_is_checked_but_not_kept(monkeypatch):
    """Reported values are any numbers: _NUMBERS.once checks them (wide) without keeping
    them (a long-running server would otherwise keep every value ever reported)."""
    from scoring.writers.results_json import _Numbers

    numbers = _Numbers()
    monkeypatch.setattr(results_json, "_NUMBERS", numbers)
    leaf = type("L", (), {"rule": None})()
    assert results_json._facts_of(leaf, {"facts": {"value": 123456.78}}, None) == {"value": 123456.78}
    assert not numbers and not numbers.wide
    assert numbers.once(10 ** 18 + 1) == 1e16 + 0.01  # more than a reported value may be (exact_hundredths)
    assert not numbers and numbers.wide
