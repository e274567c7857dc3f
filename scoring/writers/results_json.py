"""Results → the results document (results.json), the one every other output is made from.

``results_document`` is pure: the run time and engine version are arguments. Numbers are
written from exact hundredths (85.13), so the document says exactly what the engine
computed. The document follows scoring/results.schema.json.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Mapping
from functools import partial
from pathlib import Path

import msgspec

from .. import ENGINE_NAME, __version__
from ..engine import (
    FLAG_ORDER, facts_key, leaf_reason_text,
    FLAG_APPRAISED, FLAG_AWAITING, FLAG_MISSING_EVIDENCE, FLAG_SELF_ABOVE, FLAG_SELF_BELOW, CommuneResult, LeafResult, Results,
)
from ..model import INTEGER_FACTS, InputFile
from ..numbers import exact_hundredths, to_number
from ..registry import NOT_SUBMITTED
from ..summary import band_shares, block_summaries
from ..workers import ordered_map, worker_count

FORMAT = "cchc-results/1"


def _facts(result: LeafResult) -> dict:
    return _facts_of(result.leaf, result.raw, result.tallies)


def _facts_of(leaf, raw, tallies) -> dict:
    """A leaf entry's facts: the survey tallies, or the reported facts as written."""
    if tallies is not None:
        return {"tallies": dict(tallies)}
    facts = raw.get("facts") if raw is not None else None
    if not facts:
        return {}
    written = {name: (_NUMBERS.once(exact_hundredths(value)) if name == "value" else int(value) if name in INTEGER_FACTS else value)
               for name, value in facts.items()}
    if "choice" in written:  # the option's label beside its code: people read the label, never the code
        label = next((o.label for o in leaf.rule.choices if o.value == written["choice"]), None)
        if label is not None:
            written["choice_label"] = label
    if "conditions" in written:  # issue 13: each condition's label beside its id, as for a choice
        written["condition_labels"] = {c.id: c.label for c in leaf.rule.named_conditions()}
    return written


def _stage(entry) -> dict | None:
    if entry is None:
        return None
    return {"score": _NUMBERS[entry.score], "reason": entry.reason,
            "date": entry.date.isoformat() if entry.date else None, "appraised_by": entry.appraiser,
            "explanation_requested": entry.explanation_requested}


def _stages(result: LeafResult) -> dict | None:
    """The leaf's round after the self-assessment and the evidence: appraisal 1, the commune's
    explanation, appraisal 2 (None when the leaf was neither appraised nor explained)."""
    return _stages_of(result.raw, result.stages)


def _stages_of(raw, stages) -> dict | None:
    answer = raw.get("explanation_round") if raw is not None else None
    if not stages and not answer:
        return None
    stages = stages or {}
    explanation = None
    if answer:
        explanation = {"explanation": answer["explanation"], "date": answer.get("date"),
                       "evidence": [{"number": d["number"], "date": d["date"], "title": d["title"], "issuer": d["issuer"],
                                     "file": d.get("file")} for d in answer.get("evidence") or ()]}
    return {"appraisal_1": _stage(stages.get(1)), "explanation": explanation, "appraisal_2": _stage(stages.get(2))}


def _leaf(result: LeafResult) -> dict:
    """One leaf entry from its LeafResult: the plain way, the reference the writers' path
    (_leaf_entries, from the run's rows) is tested against, as score_one is for score_all."""
    leaf = result.leaf
    raw = result.raw
    appraisal = result.appraisal
    return {
        "code": leaf.code,
        "area": leaf.area,
        "section": leaf.section,
        "title": leaf.title,
        "kind": leaf.rule.kind,
        "max": to_number(leaf.max),
        "facts": _facts(result),
        "evidence": _evidence(raw),
        "not_applicable": result.not_applicable,
        "self_score": to_number(result.self_score),
        "evidence_score": to_number(result.evidence_score),
        "appraised_score": to_number(appraisal.score) if appraisal else None,
        "appraisal_stage": appraisal.stage if appraisal else None,
        "appraisal_reason": appraisal.reason if appraisal else None,
        "appraised_by": appraisal.appraiser if appraisal else None,
        "stages": _stages(result),
        "final": to_number(result.final),
        "counted_max": to_number(result.counted_max),
        "reason": result.reason,
        "legal_ref": leaf.legal_ref,  # the leaf's legal source (criteria set), shown beside the reason
        "flags": list(result.flags),
    }


def _evidence(raw) -> list:
    """A leaf entry's evidence documents as written."""
    documents = raw.get("evidence") if raw is not None else None
    if not documents:
        return []
    written = []
    for d in documents:
        document = {"number": d["number"], "date": d["date"], "title": d["title"], "issuer": d["issuer"],
                    "file": d.get("file")}
        if d.get("period"):  # issue 13: the report's period, when named
            document["period"] = d["period"]
        written.append(document)
    return written


_NO_FACTS: dict = {}  # the file's entries only: encoded, never changed


def _facts_entry(leaf, raw, tallies, written: dict) -> dict:
    """_facts_of for the file's entries: for a kind whose facts repeat (a yes/no, a choice: not
    counts), one dict per distinct facts of a leaf, kept in ``written`` (the run's) and
    shared by the entries, which are only encoded (a float by its repr, each value with its
    class: 1, 1.0 and True are equal)."""
    if tallies is not None:
        return {"tallies": dict(tallies)}
    facts = raw.get("facts") if raw is not None else None
    if not facts:
        return _NO_FACTS
    if not leaf.rule.reasons_repeat:
        return _facts_of(leaf, raw, None)
    said = facts_key(facts)
    if said is None:  # a list or an object among the facts: not shared
        return _facts_of(leaf, raw, None)
    said = (leaf.code,) + said
    entry = written.get(said)
    if entry is None:
        entry = written[said] = _facts_of(leaf, raw, None)
    return entry


# an evidence document as msgspec writes it: _evidence's keys in its order, for the file alone
_Document = msgspec.defstruct("_Document", ("number", "date", "title", "issuer", "file"))
_DocumentOfPeriod = msgspec.defstruct("_DocumentOfPeriod", ("number", "date", "title", "issuer", "file", "period"))


def _evidence_entries(raw) -> list:
    """_evidence(raw) as msgspec structs (a national run writes 280,000 documents)."""
    documents = raw.get("evidence") if raw is not None else None
    if not documents:
        return []
    return [_DocumentOfPeriod(d["number"], d["date"], d["title"], d["issuer"], d.get("file"), d["period"])
            if d.get("period") else _Document(d["number"], d["date"], d["title"], d["issuer"], d.get("file"))
            for d in documents]


class _Numbers(dict):
    """Hundredths → the number written (to_number), each worked out once: a national run
    writes 1.6 million points, nearly all of a few hundred values.

    ``wide`` turns True (for good) once a number made here is a float json writes with an
    exponent (1e+16; a hundredth is never below 0.0001 but 0.0): until then a national
    commune's entry, whose every point comes from here, is written by msgspec without
    scanning its text (_encode_entry)."""

    wide = False

    def __missing__(self, hundredths):
        number = self[hundredths] = self.once(hundredths)
        return number

    def once(self, hundredths):
        """self[hundredths] without keeping it (a reported value: any number, not a point)."""
        number = self.get(hundredths)
        if number is None:
            number = to_number(hundredths)
            if number.__class__ is float and not 1e-4 <= abs(number) < 1e16:
                self.wide = True
        return number


LEAF_KEYS = ("code", "area", "section", "title", "kind", "max", "facts", "evidence", "not_applicable", "self_score",
             "evidence_score", "appraised_score", "appraisal_stage", "appraisal_reason", "appraised_by", "stages",
             "final", "counted_max", "reason", "legal_ref", "flags")
# a leaf entry as msgspec writes it: the keys of _leaf in its order (tests/test_results_fast.py),
# three times cheaper to make than a dict; for the file only (readers get dicts)
_LeafEntry = msgspec.defstruct("_LeafEntry", LEAF_KEYS)


def _leaf_dict(*values) -> dict:
    return dict(zip(LEAF_KEYS, values))


def _leaf_entries(commune: CommuneResult, make=None, listed: bool = False) -> list:
    """``[_leaf(result) for result in commune.leaf_results()]``, the same dicts, built from the
    run's rows without a LeafResult per leaf (a national run has 330,000 leaves: issue 19).
    ``make=_LeafEntry``: as msgspec structs instead, for the file alone (flags as tuples).
    ``listed``: ``[_listed(result) for result in commune.leaf_results(LISTED_FLAGS)]`` instead,
    the light document's entries."""
    as_dicts = make is None
    run, row = commune._run, commune._row
    columns = getattr(run, "json_columns", None)
    if columns is None:  # once per run: what every commune's entry says the same of a leaf
        columns = run.json_columns = [(leaf.code, leaf.area, leaf.section, leaf.title, leaf.rule.kind, _NUMBERS[leaf.max],
                                       leaf.legal_ref) for leaf in run.criteria.leaves]
        by_row: dict = {}
        for (at, column), entry in run.appraisals.items():
            by_row.setdefault(at, {})[column] = entry
        run.json_appraisals = by_row
        by_row = {}
        for (at, column), entry in run.stages.items():
            by_row.setdefault(at, {})[column] = entry
        run.json_stages = by_row
        run.json_facts = {}  # _facts_entry's
    numbers = _NUMBERS
    appraisals, stages = run.json_appraisals.get(row, {}), run.json_stages.get(row, {})
    memo, written_facts = run.reasons, run.json_facts
    entries = []
    chosen = range(len(columns))
    if listed:
        chosen = [column for column, bits in enumerate(run.flag_bits[row].tolist()) if bits & _LISTED_BITS]
    # each leaf's values by the engine's own rules (CommuneRun._leaf_values, which leaf_results
    # and leaf_fields read too); what every commune says the same of a leaf from ``columns``
    for (column, leaf, raw, self_score, evidence_score, final, counted, na, flags, leaf_tallies, rule_score,
         nothing_arose, uncredited) in run._leaf_values(row, chosen):
        code, area, section, title, kind, maximum, legal_ref = columns[column]
        appraisal = appraisals.get(column)
        reason = leaf_reason_text(leaf, raw, flags, self_score, evidence_score, appraisal, final, counted, na,
                                  nothing_arose, uncredited, rule_score, leaf_tallies, memo)
        if listed:  # _listed's fields, in its order
            entries.append({"code": code, "area": area, "section": section, "title": title, "max": maximum,
                            "self_score": numbers[self_score], "final": numbers[final], "reason": reason,
                            "appraisal_stage": appraisal.stage if appraisal else None,
                            "appraisal_reason": appraisal.reason if appraisal else None, "flags": list(flags)})
            continue
        entries.append((make or _leaf_dict)(
            code, area, section, title, kind, maximum,
            _facts_of(leaf, raw, leaf_tallies) if as_dicts else _facts_entry(leaf, raw, leaf_tallies, written_facts),
            _evidence(raw) if as_dicts else _evidence_entries(raw),
            na,
            numbers[self_score],
            numbers[evidence_score],
            numbers[appraisal.score] if appraisal else None,
            appraisal.stage if appraisal else None,
            appraisal.reason if appraisal else None,
            appraisal.appraiser if appraisal else None,
            _stages_of(raw, stages.get(column)) if stages or (raw is not None and "explanation_round" in raw) else None,
            numbers[final],
            numbers[counted],
            reason,
            legal_ref,
            list(flags) if as_dicts else flags,
        ))
    return entries


_NUMBERS = _Numbers()


LISTED_FLAGS = (FLAG_MISSING_EVIDENCE, FLAG_SELF_ABOVE, FLAG_SELF_BELOW)
_LISTED_BITS = sum(1 << FLAG_ORDER.index(flag) for flag in LISTED_FLAGS)  # as engine.FLAG_SETS numbers them
# what the workbook's two leaf lists show of a flagged leaf: all a light document keeps of it
LISTED_FIELDS = ("code", "area", "section", "title", "max", "self_score", "final", "reason",
                 "appraisal_stage", "appraisal_reason", "flags")


def _listed(result: LeafResult) -> dict:
    """What a light document keeps of a flagged leaf: _leaf's LISTED_FIELDS, built without the
    rest (facts, evidence, stages: issue 19). The plain way, the reference of
    _leaf_entries(listed=True)."""
    leaf, appraisal = result.leaf, result.appraisal
    return {"code": leaf.code, "area": leaf.area, "section": leaf.section, "title": leaf.title, "max": to_number(leaf.max),
            "self_score": to_number(result.self_score), "final": to_number(result.final), "reason": result.reason,
            "appraisal_stage": appraisal.stage if appraisal else None,
            "appraisal_reason": appraisal.reason if appraisal else None, "flags": list(result.flags)}


def _commune(commune: CommuneResult, leaves: str = "all") -> dict:
    """One commune's entry. leaves="flagged" keeps only the leaves the workbook's lists need
    (missing evidence, self-score differing), and of them only what the lists show
    (LISTED_FIELDS): a light document for national runs."""
    # built afresh, not cached on the commune: a national run streams them
    if leaves == "none":
        entries = []
    elif leaves == "flagged":
        entries = _leaf_entries(commune, listed=True)
    else:
        entries = _leaf_entries(commune)
    entry = _commune_head(commune)
    entry["leaves"] = entries
    return entry


def _commune_head(commune: CommuneResult) -> dict:
    """A commune's entry but for its leaves (the last key, added by the caller)."""
    return {
        "code": commune.code,
        "name": commune.name,
        "type": commune.type,
        "block": commune.block,
        "file": commune.file,
        "self_assessed": _NUMBERS[commune.self_assessed],
        "appraised": _NUMBERS[commune.appraised],
        "survey": _NUMBERS[commune.survey],
        "bonus": _NUMBERS[commune.bonus],
        "penalty": _NUMBERS[commune.penalty],
        "adjustment": _NUMBERS[commune.adjustment],
        "total": _NUMBERS[commune.total],
        "max": _NUMBERS[commune.max],
        "index": _NUMBERS[commune.index],
        "rank": commune.rank,
        "band": commune.band,
        **({"index_note": commune.index_note} if commune.index_note else {}),
        **({"survey_note": commune.survey_note} if commune.survey_note else {}),
        "areas": [
            {"code": a.code, "title": a.title, "points": _NUMBERS[a.points], "max": _NUMBERS[a.max],
             "index": _NUMBERS[a.index], "self_assessed": _NUMBERS[a.self_assessed]}
            for a in commune.areas
        ],
        "nodes": [
            {"code": n.code, "title": n.title, "area": n.area, "points": _NUMBERS[n.points], "max": _NUMBERS[n.max],
             "index": _NUMBERS[n.index]}
            for n in commune.nodes
        ],
        "survey_index": _NUMBERS[commune.survey_index],
        "survey_rank": commune.survey_rank,
        "not_applicable": list(commune.not_applicable),
        "flags": {
            "missing_evidence": list(commune.flagged(FLAG_MISSING_EVIDENCE)),
            "self_above": list(commune.flagged(FLAG_SELF_ABOVE)),
            "self_below": list(commune.flagged(FLAG_SELF_BELOW)),
            "awaiting_appraisal": list(commune.flagged(FLAG_AWAITING)),
        },
    }


def results_document(results: Results, files: tuple[InputFile, ...], *, generated_at: str,
                     leaves: str = "all") -> dict:
    """The whole results document: criteria summary, input hashes, engine version, communes in ranking order.

    leaves="flagged" gives the light document the workbook and decision need on national
    runs (every commune, only its flagged leaves, only what the workbook's lists show of
    them); results.json always has every leaf (stream_results writes it).
    """
    communes = [_commune(c, leaves) for c in results.communes]
    document = _document_head(results, files, generated_at,
                              sum(len(c["flags"]["missing_evidence"]) for c in communes),
                              sum(len(c["flags"]["self_above"]) + len(c["flags"]["self_below"]) for c in communes))
    document["communes"] = communes
    return document


def _document_head(results: Results, files, generated_at: str, missing_evidence: int, self_differs: int) -> dict:
    """results_document but for its communes (the last key), given the summary's counts of
    flagged leaves: stream_results writes the head without building every commune's entry
    twice (issue 19)."""
    criteria = results.criteria
    return {
        "format": FORMAT,
        "engine": {"name": ENGINE_NAME, "version": __version__},
        "generated_at": generated_at,
        "criteria": {
            "id": criteria.id,
            "year": criteria.year,
            "title": criteria.title,
            "issuer": dict(criteria.issuer),
            "legal_source": dict(criteria.legal_source),
            "total_points": to_number(criteria.total_points),
            "index_cap": to_number(criteria.index_cap),
            "areas": [{"code": a.code, "title": a.title, "max": to_number(a.max), "source": a.source} for a in criteria.areas],
            "bands": [{"name": b.name, "min_index": to_number(b.min_index), "color": b.color} for b in criteria.bands],
            "blocks": [{"id": b.id, "name": b.name, "unit_types": list(b.unit_types), **({} if b.ranked else {"ranked": False})}
                       for b in criteria.blocks],
            "tie_break": list(criteria.tie_break),
            # a set built on a framework (issue 13): the framework it extends, named beside it
            **({"framework": _plain(criteria.framework)} if criteria.framework else {}),
        },
        "inputs": [{"role": f.role, "path": f.path, "sha256": f.sha256} for f in files],
        "provisional": bool(results.provisional),
        "provisional_reasons": [dict(reason) for reason in results.provisional],
        "summary": {
            "communes": len(results.communes),
            "scored": len(results.communes),
            "registered": results.registered,
            "not_submitted": len(results.not_submitted),
            "average_index": to_number(results.average_index),
            "bands": dict(results.band_counts),
            "missing_evidence": missing_evidence,
            "self_differs": self_differs,
            "appraised_communes": sum(1 for c in results.communes if c.flagged(FLAG_APPRAISED)),
            **published_figures(results),
        },
        "not_submitted": [
            {"code": unit.code, "name": unit.name, "type": unit.type, "block": unit.block,
             "predecessors": list(unit.predecessors), "status": NOT_SUBMITTED}
            for unit in results.not_submitted
        ],
        **({"comparison": results.comparison} if results.comparison is not None else {}),
    }


def _plain(value):
    """Read-only mappings and tuples of the model as JSON-ready dicts and lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def published_figures(results: Results) -> dict:
    """The summary's figures provinces publish (scoring.summary, issue 13): band shares of
    the whole set and, per ranking block, units, average index, band counts and shares,
    survey index. Percentages as numbers with two decimals."""
    def shares(values):
        return {name: to_number(value) for name, value in values.items()}

    return {
        "band_shares": shares(band_shares(results.band_counts)),
        "blocks": [{**row, "average_index": to_number(row["average_index"]), "band_shares": shares(row["band_shares"]),
                    "survey_index": to_number(row["survey_index"])} for row in block_summaries(results)],
    }


# Above this many communes results.json is written without indentation when the caller does
# not say (write_outputs says: indented in the district and province layouts, compact in the
# national one): a national file (3,321 communes × 100 leaves) is 180 MB compact against
# 310 MB indented, and json's C encoder only runs without indentation (4 s against 20 s).
INDENT_UP_TO = 200


def json_layout(document: dict, indent: bool | None = None) -> dict:
    """json.dumps options for a results document: indented (a district or province) or
    compact (a nation); ``indent`` None chooses by the number of communes (INDENT_UP_TO)."""
    if indent is None:
        indent = len(document.get("communes", ())) <= INDENT_UP_TO
    return {"indent": 2} if indent else {"separators": (",", ":")}


def dumps(document: dict, indent: bool | None = None) -> bytes:
    """Stable text: UTF-8, Vietnamese kept readable, keys in the document's own order:
    ``json.dumps(document, ensure_ascii=False, **json_layout(document, indent)) + "\n"``, byte
    for byte (issue 19: written by msgspec, see encode_indented)."""
    if "indent" in json_layout(document, indent):
        return encode_indented(document) + b"\n"
    return _compact_document(document) + b"\n"


def _compact_document(document: dict) -> bytes:
    """encode_compact(document), the head (criteria, input hashes…) and the communes (the last
    key, nearly all of it) encoded apart: a hash's "1e7" sends the head alone to json
    (_encode_parts), the communes are encoded once."""
    keys = list(document) if isinstance(document, dict) else []
    if len(keys) < 2 or keys[-1] != "communes":
        return encode_compact(document)
    head = encode_compact({key: document[key] for key in keys[:-1]})
    return head[:-1] + b',"communes":' + encode_compact(document["communes"]) + b"}"


def encode_indented(value) -> bytes:
    """``json.dumps(value, ensure_ascii=False, indent=2).encode()``, byte for byte, at a tenth
    of the cost (json's indented encoder is pure Python): the compact text (encode_compact)
    laid out by msgspec.json.format, which copies strings and numbers as they are and puts
    the same whitespace json does (empty containers included: tests/test_results_fast.py). A
    results document's head and communes are encoded apart (_compact_document)."""
    return msgspec.json.format(_compact_document(value), indent=2)


def load_results(path) -> dict:
    """Read a results.json back (for the decision and other writers), checked against its schema.

    Raises InputError with file:/pointer issues when the file is unreadable or not a results document.
    """
    from ..errors import InputError
    from ..files import read_document
    from ..validate import precision_issues, schema_issues

    parsed = read_document(path)
    if parsed.issues:
        raise InputError(parsed.issues)
    issues = schema_issues(parsed, "results") or precision_issues(parsed)
    if issues:
        raise InputError(issues)
    return parsed.data


def stream_results(results: Results, files: tuple[InputFile, ...], *, generated_at: str, target,
                   keep: str = "none", workers: int | None = None, progress=None, indent: bool | None = None) -> dict:
    """Write results.json to the path ``target`` with every leaf; return the document the
    other writers read, its communes keeping every leaf (keep="all"), only the flagged ones
    (keep="flagged", the light document of national runs) or none.

    The file holds exactly the bytes of dumps(results_document(...), indent): indented, the
    document is built whole and written; compact (``indent`` False, or None above INDENT_UP_TO
    communes) it is written one commune at a time and never held whole in memory (a
    national run's leaf entries alone take gigabytes as Python objects): each commune's
    entry is built once, written, and kept only as far as ``keep`` says. ``workers``
    processes share the rendering (default: one per core, up to 4); ``progress(done,
    total)`` is called as communes are written.
    """
    if indent is None:
        indent = len(results.communes) <= INDENT_UP_TO
    if indent:
        document = results_document(results, files, generated_at=generated_at)
        Path(target).write_bytes(dumps(document, indent=True))
        if keep != "all":
            document["communes"] = [_kept(commune, keep) for commune in document["communes"]]
        return document
    communes = results.communes
    head = _document_head(results, files, generated_at,  # the communes (the last key): written after it, one by one
                          sum(len(c.flagged(FLAG_MISSING_EVIDENCE)) for c in communes),
                          sum(len(c.flagged(FLAG_SELF_ABOVE)) + len(c.flagged(FLAG_SELF_BELOW)) for c in communes))
    separators = _COMPACT  # json_layout(indent=False)
    communes = []
    with open(target, "wb") as out:
        text = json.dumps(head, ensure_ascii=False, separators=separators)
        out.write((text[:-1] + ',"communes":[').encode("utf-8"))
        for position, (chunk, kept) in enumerate(_rendered_chunks(results, separators, keep, workers)):
            if position:
                out.write(b",")
            out.write(chunk)
            communes.extend(kept)
            if progress is not None:
                progress(len(communes), len(results.communes))
        out.write(b"]}\n")
    head["communes"] = communes
    return head


def _kept(commune: dict, keep: str) -> dict:
    """A commune's entry with the leaves ``keep`` asks for (see stream_results)."""
    if keep == "all":
        return commune
    listed = set(LISTED_FLAGS)
    leaves = [{name: leaf[name] for name in LISTED_FIELDS}
              for leaf in commune["leaves"] if not listed.isdisjoint(leaf["flags"])] if keep == "flagged" else []
    return {**commune, "leaves": leaves}


CHUNK = 250  # communes rendered together by one worker
def _render_chunk(bounds, run: tuple) -> tuple[bytes, list]:
    """Communes start..stop of the run (``run`` = results, separators, keep) as JSON text, and
    their entries as ``keep`` says (in a forked worker, or here)."""
    results, separators, keep = run
    start, stop = bounds
    if keep == "all" or separators != _COMPACT:
        entries = [_commune(c) for c in results.communes[start:stop]]
        return b",".join(encode_compact(entry, separators) for entry in entries), [_kept(entry, keep) for entry in entries]
    texts, kept, listed = [], [], set(LISTED_FLAGS)
    for commune in results.communes[start:stop]:
        entry = _commune_head(commune)
        leaves = entry["leaves"] = _leaf_entries(commune, _LeafEntry)
        texts.append(_encode_entry(entry))
        entry["leaves"] = [dict(zip(LISTED_FIELDS, (*_LISTED_VALUES(leaf), list(leaf.flags))))
                           for leaf in leaves if not listed.isdisjoint(leaf.flags)] if keep == "flagged" else []
        kept.append(entry)
    return b",".join(texts), kept


# a kept leaf's LISTED_FIELDS but its flags (the last: a list, not the struct's tuple), read at once
_LISTED_VALUES = operator.attrgetter(*LISTED_FIELDS[:-1])
assert LISTED_FIELDS[-1] == "flags"
_COMPACT = (",", ":")
_E_DIGIT = re.compile(rb"e[-+]?[0-9]")


def _may_differ(text: bytes) -> bool:
    """Whether msgspec's ``text`` may hold a number json writes otherwise (1e+16, 1e-05): a
    digit, e, a sign or a digit; or 0.0000. Scanned for by the literal parts (a national
    results.json is 200 MB: a regular expression starting with a digit class costs seconds)."""
    if b"0.0000" in text:
        return True
    for found in _E_DIGIT.finditer(text):
        if text[found.start() - 1:found.start()].isdigit():
            return True
    return False


_MSGSPEC = msgspec.json.Encoder()


def _encode_entry(entry) -> bytes:
    """encode_compact(entry) of a national commune's entry (_render_chunk), whose every point
    is a number of _NUMBERS (the leaves' and the totals'; facts and tallies as integers or
    text): while none of those is a float json would write with an exponent
    (``_NUMBERS.wide``), msgspec's text is json's and is not scanned for one (_may_differ:
    ~0.5 CPU-s of 200 MB at 3,321 communes)."""
    if not _NUMBERS.wide:
        try:
            return _MSGSPEC.encode(entry)
        except (TypeError, OverflowError, ValueError, msgspec.EncodeError):
            pass  # an integer beyond 64 bits…: as encode_compact writes it
    return encode_compact(entry)


def encode_compact(value, separators=_COMPACT) -> bytes:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()``, byte for
    byte, at a tenth of the cost (issue 19): msgspec writes every string exactly as json
    does (every code point checked by tests/test_results_encoding.py) and every float by its
    shortest repr, like json, except where json uses an exponent (msgspec 1e16 against
    1e+16, 0.00001 against 1e-05). Points are hundredths, never written so; a text that
    could hold one (a digit, e, a digit; 0.0000 and a digit) is written again by json, as is anything msgspec does not take (an integer
    beyond 64 bits, a key that is not text)."""
    if separators != _COMPACT:
        return json.dumps(value, ensure_ascii=False, separators=separators).encode("utf-8")
    try:
        text = _MSGSPEC.encode(value)
    except (TypeError, OverflowError, ValueError, msgspec.EncodeError):
        text = None
    if text is None or _may_differ(text):
        return _encode_parts(value)
    return text


def _encode_parts(value) -> bytes:
    """What encode_compact writes of ``value`` when msgspec's text as a whole may differ from
    json's: a dict with text keys, a list or a msgspec struct (a national leaf entry, its
    fields in order) member by member through encode_compact, so json writes only the parts
    that need it (a results document whose input hashes hold "1e7" is not written by json
    whole: issue 19, the 200-commune run; a struct is never handed to json, which cannot
    write it); anything else by json."""
    if isinstance(value, msgspec.Struct):
        value = {name: getattr(value, name) for name in value.__struct_fields__}
    if isinstance(value, dict) and all(key.__class__ is str for key in value):
        return b"{" + b",".join(json.dumps(key, ensure_ascii=False).encode("utf-8") + b":" + encode_compact(item)
                                for key, item in value.items()) + b"}"
    if isinstance(value, (list, tuple)):
        return b"[" + b",".join(encode_compact(item) for item in value) + b"]"
    return json.dumps(value, ensure_ascii=False, separators=_COMPACT).encode("utf-8")


def _rendered_chunks(results: Results, separators, keep: str, workers: int | None = None):
    """The communes as JSON text and kept entries, in order, chunk by chunk.

    Rendering a leaf entry and its Vietnamese reason is pure Python work on 330,000 leaves
    for a national run; on a machine with several cores, forked workers share it (they
    inherit the run's arrays; the text and the kept entries come back). Without fork, one
    process does it.
    """
    bounds = [(start, min(start + CHUNK, len(results.communes))) for start in range(0, len(results.communes), CHUNK)]
    # the run given to each call, not kept in module state: two runs written at once in one
    # process (a threaded web server) must not see each other's
    yield from ordered_map(partial(_render_chunk, run=(results, separators, keep)), bounds,
                           workers or worker_count(len(bounds)))
