"""Per-criterion figures: points, applicable maximum and index of every node of the tree
between an area and its leaves (issue 13: results tables publish "component indices" for
every criterion and sub-criterion, not only per area).

A node's points are the sum of its leaves' final points, its applicable maximum the sum of
their counted maxima (a leaf excluded as not applicable, or left out while provisional,
counts 0), its index points ÷ maximum × 100 half up to the hundredth, None when nothing
under it is applicable. Areas (scoring.engine.AreaResult) and leaves (their ``final`` and
``counted_max``) carry their own figures; these are the nodes in between, the criteria
with children, in the tree's order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .numbers import round_half_up

PERCENT = 100 * 100


class NodeResult(NamedTuple):
    """A commune's figures on one criterion (hundredths; index in hundredths of a percent or None)."""

    code: str
    title: str
    area: str
    points: int
    max: int
    index: int | None


def inner_nodes(criteria) -> tuple[tuple[str, str, str, np.ndarray], ...]:
    """(code, title, area code, leaf columns) of every node with children, areas excluded, in tree order."""
    column_of = {leaf.code: column for column, leaf in enumerate(criteria.leaves)}
    found = []

    def walk(node, area):
        if node.children:
            columns = np.array([column_of[leaf.code] for leaf in node.leaves()], dtype=np.int64)
            found.append((node.code, node.title, area, columns))
            for child in node.children:
                walk(child, area)

    for area in criteria.areas:
        for node in area.criteria:
            walk(node, area.code)
    return tuple(found)


def node_results(criteria, final_row: np.ndarray, counted_row: np.ndarray, nodes=None) -> tuple[NodeResult, ...]:
    """One commune's figures per inner node, from its row of final points and counted maxima;
    ``nodes``: inner_nodes(criteria) when the caller keeps it (once per run, not per commune)."""
    results = []
    for code, title, area, columns in (inner_nodes(criteria) if nodes is None else nodes):
        points, maximum = int(final_row[columns].sum()), int(counted_row[columns].sum())
        index = int(round_half_up(points * PERCENT, maximum)) if maximum else None
        results.append(NodeResult(code, title, area, points, maximum, index))
    return tuple(results)
