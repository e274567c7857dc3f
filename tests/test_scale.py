"""A generated year of 250 communes (bench/generate.py): what national runs rely on.

- Reading the submissions in forked worker groups gives exactly what one process gives,
  valid files and broken ones alike (same issues, in the same order).
- The results do not depend on how the communes are grouped: scored at once, or block by
  block, or in arbitrary parts, every commune gets the same index and (within its block)
  the same rank.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import scoring.quick as load_module
from scoring.engine import score
from scoring.errors import InputError
from scoring.facts import FactTable
from scoring.files import read_json, submission_files
from scoring.load import build_criteria, load_inputs
from scoring.quick import check_submission_files
from scoring.model import Inputs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402

COMMUNES = 250


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("year")
    generate(folder, COMMUNES, leaves=40)
    return folder


def paths_of(year: Path) -> dict:
    return {"criteria": year / "criteria.json", "submissions": year / "communes",
            "appraisal": year / "appraisal.json", "survey": year / "survey.json"}


def criteria_of(year: Path):
    parsed = read_json(year / "criteria.json")
    return build_criteria(parsed.data, parsed.path)


def assert_same_facts(one: FactTable, other: FactTable) -> None:
    for name in FactTable.__dataclass_fields__:
        assert np.array_equal(getattr(one, name), getattr(other, name)), name


def test_worker_groups_read_exactly_what_one_process_reads(year, monkeypatch):
    monkeypatch.setattr(load_module, "GROUP", 32)  # 8 groups
    criteria = criteria_of(year)
    files = submission_files(year / "communes")
    alone, alone_facts = check_submission_files(files, criteria, year / "communes", workers=1)
    shared, shared_facts = check_submission_files(files, criteria, year / "communes", workers=2)
    assert alone == shared
    assert_same_facts(alone_facts, shared_facts)
    assert alone_facts.self_score.shape == (COMMUNES, len(criteria.leaves))


def test_broken_files_among_many_are_reported_the_same_way(year, tmp_path, monkeypatch):
    """Files broken in each way the fast path must hand over: a schema error, a meaning error
    found on the arrays, a duplicated key (the raw text holds more keys than parsed), a JSON
    syntax error and a number with three decimals."""
    broken = tmp_path / "year"
    (broken / "communes").mkdir(parents=True)
    for path in (year / "communes").glob("*.json"):
        (broken / "communes" / path.name).write_bytes(path.read_bytes())
    for name in ("criteria.json", "appraisal.json", "survey.json"):
        (broken / name).write_bytes((year / name).read_bytes())
    files = sorted((broken / "communes").glob("*.json"))

    def edit(index, change):
        text = files[index].read_text(encoding="utf-8")
        files[index].write_text(change(text), encoding="utf-8")

    edit(3, lambda t: t.replace('"type": "', '"type": 7, "was": "', 1))                      # schema
    edit(40, lambda t: t.replace('"self_score": ', '"self_score": 99', 1))                  # above the maximum
    edit(77, lambda t: t.replace('"leaves": {', '"leaves": {"1.1": {"self_score": 0}, ', 1))  # duplicated leaf code
    edit(120, lambda t: t[:-2])                                                              # syntax
    edit(200, lambda t: t.replace('"self_score": 0.5,', '"self_score": 0.125,', 1))         # precision
    edit(150, lambda t: t.replace('"date": "2025-', '"date": "0000-', 1))                   # year 0: numpy takes it
    monkeypatch.setattr(load_module, "GROUP", 32)
    found = {}
    for workers in (1, 2):
        monkeypatch.setattr(load_module, "PARALLEL_FROM", 1 if workers == 2 else 10_000)
        with pytest.raises(InputError) as caught:
            load_inputs(**paths_of(broken))
        found[workers] = caught.value.issues
    assert found[1] == found[2]
    codes = {issue.code for issue in found[1]}
    assert {"schema-additionalProperties", "self-score-above-max", "duplicate-key", "json-invalid", "precision",
            "date-invalid"} <= codes
    assert {Path(issue.file).name for issue in found[1]} >= {files[i].name for i in (3, 40, 77, 120, 150, 200)}


def test_scores_do_not_depend_on_how_communes_are_grouped(year):
    inputs = load_inputs(**paths_of(year))
    whole = {c.code: (c.index, c.rank, c.total, c.block) for c in score(inputs).communes}
    assert len(whole) == COMMUNES and len({block for *_, block in whole.values()}) == 2

    def scored(subset):
        part = Inputs(inputs.criteria, tuple(subset), inputs.appraisal, inputs.survey, inputs.files)
        return {c.code: (c.index, c.rank, c.total, c.block) for c in score(part).communes}

    # block by block: the same indices and ranks
    by_block = {}
    for block in inputs.criteria.blocks:
        by_block.update(scored([s for s in inputs.submissions if s.type in block.unit_types]))
    assert by_block == whole
    # arbitrary parts: the same indices and totals (ranks then only compare within a part)
    parts = {}
    for start in range(0, COMMUNES, 37):
        parts.update(scored(inputs.submissions[start:start + 37]))
    assert {code: (index, total) for code, (index, _, total, _) in parts.items()} == \
        {code: (index, total) for code, (index, _, total, _) in whole.items()}
    # and the facts rebuilt from the files equal those laid out while loading
    from scoring.facts import fact_table
    assert_same_facts(fact_table(inputs.criteria, inputs.submissions), inputs.facts)


@pytest.mark.parametrize("day", ["2025-02-30", "0000-01-01", "2025-13-01"])
def test_a_date_that_does_not_exist_is_found_without_an_evidence_window(year, tmp_path, day):
    """Without an evidence window nothing compares the dates with the year: the quick reader
    itself must refuse a day the calendar does not have (it reads dates as datetime.date),
    and the thorough way names it."""
    import json
    from dataclasses import replace as replaced

    criteria = replaced(criteria_of(year), evidence_window=None)
    folder = tmp_path / "communes"
    shutil.copytree(year / "communes" / "evidence", folder / "evidence")  # the scans they name
    for path in submission_files(year / "communes")[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    files = submission_files(folder)
    checked, _ = load_module.check_group(files, criteria, folder)
    assert [c.valid for c in checked] == [True, True, True]
    document = json.loads(files[1].read_text(encoding="utf-8"))
    code = next(code for code, entry in document["leaves"].items() if entry.get("evidence"))
    document["leaves"][code]["evidence"][0]["date"] = day
    files[1].write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert load_module._read_quickly(files[1], "x", load_module.submission_reader(load_module.leaf_codes(criteria))) is None
    checked, facts = load_module.check_group(files, criteria, folder)
    assert [c.valid for c in checked] == [True, False, True] and facts.self_score.shape[0] == 2
    assert [(i.pointer, i.code) for i in checked[1].issues] == [(f"/leaves/{code}/evidence/0/date", "date-invalid")]


def test_fact_blocks_travel_from_workers_without_loss():
    """Workers send their fact blocks in the narrowest integer types; the parent gets back
    exactly the int64 arrays, whatever the values (negative points, values in hundredths
    up to 10^10, day ordinals)."""
    rows, width = 3, 4
    extremes = np.array([[0, -1, 127, 128], [-129, 32767, -32769, 2 ** 31], [-(2 ** 31) - 1, 10 ** 10, -(10 ** 10), 739000]])
    table = FactTable(**{name: (np.zeros((rows, width), dtype=bool) if name in ("has_self", "claimed_na", "has_evidence", "done")
                                else extremes.astype(np.int64) + index)
                         for index, name in enumerate(FactTable.__dataclass_fields__)})
    narrowed = load_module._narrowed(table)
    back = load_module._widened(narrowed)
    for name in FactTable.__dataclass_fields__:
        assert getattr(back, name).dtype == getattr(table, name).dtype and np.array_equal(getattr(back, name), getattr(table, name)), name
    small = FactTable(**{name: np.zeros((2, 2), dtype=bool if name in ("has_self", "claimed_na", "has_evidence", "done") else np.int64)
                         for name in FactTable.__dataclass_fields__})
    assert load_module._narrowed(small).count.dtype == np.int8 and load_module._widened(load_module._narrowed(small)).count.dtype == np.int64


def test_fact_rows_are_the_blocks_joined():
    """check_submission_files copies each group's block into one table as it comes
    (scoring.facts.FactRows): the table concat_facts makes of the same blocks, whatever
    their sizes (a group with no valid file gives an empty block), and the empty table
    when there is none."""
    from scoring.facts import FactRows, concat_facts, fact_block

    from scoring.files import DEFAULT_CRITERIA

    criteria = build_criteria(read_json(DEFAULT_CRITERIA).data, str(DEFAULT_CRITERIA))
    width = len(criteria.leaves)

    def block(rows, seed):
        made = {}
        for index, name in enumerate(FactTable.__dataclass_fields__):
            shape = (rows, width, 0) if name == "period_days" else (rows, width)
            values = np.arange(rows * width).reshape(rows, width) * (seed + index) - seed
            made[name] = values.astype(bool) if name in ("has_self", "claimed_na", "has_evidence", "done") \
                else (np.zeros(shape, dtype=np.int64) if name == "period_days" else values.astype(np.int64))
        return FactTable(**made)

    blocks = [block(3, 1), block(0, 2), block(2, 3), block(4, 5)]
    joined = FactRows(criteria, 12)
    for one in blocks:
        joined.add(one)
    expected = concat_facts(criteria, blocks)
    for name in FactTable.__dataclass_fields__:
        got, want = getattr(joined.table(), name), getattr(expected, name)
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want), name
    empty, nothing = FactRows(criteria, 5).table(), fact_block(criteria, [])
    for name in FactTable.__dataclass_fields__:
        assert getattr(empty, name).shape == getattr(nothing, name).shape and getattr(empty, name).dtype == getattr(nothing, name).dtype
    # some columns only (a load that only checks): those columns, the same values; no whole table
    some = FactRows(criteria, 12, ("has_self", "claimed_na"))
    for one in blocks:
        some.add(one)
    kept = some.columns()
    assert set(kept) == {"has_self", "claimed_na"}
    for name, array in kept.items():
        assert array.dtype == bool and np.array_equal(array, getattr(expected, name)), name
    with pytest.raises(ValueError):
        some.table()
    with pytest.raises(ValueError):
        FactRows(criteria, 3, ("has_self", "no_such_column"))
    assert {name: a.shape for name, a in FactRows(criteria, 5, ("has_self",)).columns().items()} == {"has_self": (0, width)}
