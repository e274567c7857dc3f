"""Issue 19: results.json's communes are encoded by msgspec, byte-identical to json.dumps.

The national results.json is written by ``encode_compact``; these tests prove it writes the
bytes ``json.dumps(…, ensure_ascii=False, separators=(",", ":"))`` writes: every code
point, every hundredth, whole documents, and the cases msgspec writes otherwise (exponents,
huge integers, keys that are not text) handed back to json.
"""

import json

from hypothesis import given, strategies as st

from scoring.writers.results_json import encode_compact


def reference(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_every_code_point_written_as_json_writes_it():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(chars), 4096):
        chunk = chars[start:start + 4096]
        assert encode_compact(chunk) == reference(chunk), f"from U+{ord(chunk[0]):04X}"


def test_every_hundredth_up_to_a_million_points():
    values = [h / 100 if h % 100 else h // 100 for h in range(-100_000_000, 100_000_001, 7)]
    assert encode_compact(values) == reference(values)


def test_what_msgspec_writes_otherwise_goes_to_json():
    for value in [1e16, 1.5e-05, 1e300, -1e-7, 2 ** 70, {1: "a"}, {True: 1}, (1, 2), {"x": [1e22, "1e5"]}, "1e+16 là văn bản"]:
        assert encode_compact(value) == reference(value), value


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
leaf_like = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=20)


@given(leaf_like)
def test_any_plain_data(value):
    assert encode_compact(value) == reference(value)


def test_a_national_commune_entry(tmp_path, monkeypatch):
    """The bundled example streamed as a national run (compact, commune by commune) is the
    document json.dumps writes."""
    from scoring.load import load_inputs
    from scoring.engine import score
    from scoring.writers import results_json
    from scoring.writers.results_json import dumps, results_document, stream_results

    inputs = load_inputs()
    results = score(inputs)
    monkeypatch.setattr(results_json, "INDENT_UP_TO", 3)
    whole = dumps(results_document(results, inputs.files, generated_at="2024-02-01T08:00:00+07:00"))
    stream_results(results, inputs.files, generated_at="2024-02-01T08:00:00+07:00", target=tmp_path / "r.json")
    assert (tmp_path / "r.json").read_bytes() == whole


def test_a_light_entry_is_the_full_entry_cut_to_the_listed_fields():
    """The workbook's light document builds only LISTED_FIELDS of a flagged leaf (issue 19):
    the same values, in the same order, as the full entry cut."""
    from scoring.engine import score
    from scoring.load import load_inputs
    from scoring.writers.results_json import LISTED_FIELDS, _leaf, _listed

    results = score(load_inputs())
    seen = 0
    for commune in results.communes:
        for result in commune.leaf_results():
            full = _leaf(result)
            assert list(_listed(result).items()) == [(name, full[name]) for name in LISTED_FIELDS], result.leaf.code
            seen += 1
    assert seen > 500


def test_json_takes_over_only_the_part_that_needs_it(monkeypatch):
    """A text holding "1e7" (an input's sha256) or "0.0000" sends only the smallest value
    holding it to json, not the whole document (issue 19: a 200-commune results.json was
    written by json whole, 6× msgspec's time); a msgspec struct (a national leaf entry)
    on the way is written as its fields, never handed to json (which cannot write it)."""
    import msgspec

    from scoring.writers import results_json

    Leaf = msgspec.defstruct("Leaf", ["code", "reason", "flags"])
    document = {"inputs": [{"sha256": "4dbbac01574be71fdb2fca06d83ce2a840e2"}], "communes": [
        {"code": "1", "leaves": [Leaf("1.1", "tỷ lệ 0.00001 và 2e5", ("self_above",)), Leaf("1.2", "đạt", ())]},
        {"code": "2", "leaves": [Leaf("1.1", "x" * 50, ())]}]}
    plain = {**document, "communes": [{**commune, "leaves": [{name: list(value) if isinstance(value, tuple) else value
                                                              for name, value in msgspec.structs.asdict(leaf).items()}
                                                             for leaf in commune["leaves"]]}
                                      for commune in document["communes"]]}
    expected = reference(plain)
    handed = []
    dumps = json.dumps
    monkeypatch.setattr(results_json.json, "dumps", lambda value, **options: handed.append(value) or dumps(value, **options))
    assert encode_compact(document) == expected
    assert "x" * 50 not in repr(handed) and "4dbbac01574be71fdb2fca06d83ce2a840e2" in repr(handed)


def test_a_document_whose_hashes_look_like_exponents():
    """dumps: the head (input hashes) and the communes encoded apart, the same bytes as json
    indented (a province) and compact (a nation)."""
    from scoring.writers import results_json

    document = {"format": "cchc-results/1", "inputs": [{"sha256": "e71fdb2fca06d83ce2a840e2ca725b414670c1af362f657c0946"}],
                "summary": {"communes": 2, "x": 1e-07}, "communes": [{"code": "1", "title": "Điểm 1e5"}, {"code": "2"}]}
    assert results_json.dumps(document) == (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    national = {**document, "communes": [{"code": str(n)} for n in range(results_json.INDENT_UP_TO + 1)]}
    assert results_json.dumps(national) == reference(national) + b"\n"
