"""The figures provinces publish with the results, per ranking block (issue 13).

Results notices give, for the whole set and for every ranking block (xã + đặc khu apart
from phường, say): how many units fall in each band and their share, the block's average
index, and the survey (satisfaction) index. Everything is computed from the scored
communes (plain data in, plain data out) with exact integers and the one half-up rounding:

- a band's share = units in the band ÷ units banded × 100, half up to two decimals
  (3 of 11 → 27,27%); units whose index is undefined are neither counted nor banded;
- a block's average index = the sum of its defined indices ÷ their number, half up
  (as the set's overall ``average_index``);
- a commune's survey index = its survey points ÷ the applicable maximum of its survey leaves × 100,
  half up (undefined without survey leaves, or when they all left the maximum); a block's
  survey index = the average of its communes' survey indices, half up.

Values are hundredths (points) or hundredths of a percent (indices, shares), as elsewhere
in the engine; the writers turn them into numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .numbers import round_half_up

PERCENT = 100 * 100  # a share as hundredths of a percent


def band_shares(counts: Mapping[str, int]) -> dict[str, int]:
    """Each band's share of the banded units (hundredths of a percent, half up): {"Tốt": 2727}.
    With no banded unit every share is 0."""
    banded = sum(counts.values())
    return {name: int(round_half_up(count * PERCENT, banded)) if banded else 0 for name, count in counts.items()}


def average(values: Iterable[int | None]) -> int | None:
    """The half-up mean of the defined values (hundredths), None when there is none."""
    defined = [value for value in values if value is not None]
    return int(round_half_up(sum(defined), len(defined))) if defined else None


def survey_index(commune, survey_areas: frozenset[str] = frozenset()) -> int | None:
    """A commune's survey (satisfaction) index, hundredths of a percent: its survey points ÷
    the applicable maximum of its survey leaves (a survey area's and any content area's
    survey questions, issue 13), half up; None without one (no survey leaf, or every survey
    leaf left the maximum). ``survey_areas`` is kept for callers; the leaves decide."""
    return commune.survey_index  # computed by the engine with the commune's rank on it


def block_summaries(results) -> list[dict]:
    """Per ranking block, in the set's order: {"id", "name", "ranked", "communes",
    "average_index", "bands": {name: count}, "band_shares": {name: share},
    "survey_index"} (hundredths / hundredths of a percent; None where undefined)."""
    criteria = results.criteria
    survey_areas = frozenset(area.code for area in criteria.areas if area.source == "survey")
    rows = []
    for block in criteria.blocks:
        members = [c for c in results.communes if c.block == block.id]
        counts = {band.name: 0 for band in criteria.bands}
        for commune in members:
            if commune.band is not None:
                counts[commune.band] += 1
        rows.append({
            "id": block.id,
            "name": block.name,
            "ranked": block.ranked,
            "communes": len(members),
            "average_index": average(c.index for c in members),
            "bands": counts,
            "band_shares": band_shares(counts),
            "survey_index": average(survey_index(c, survey_areas) for c in members),
        })
    return rows
