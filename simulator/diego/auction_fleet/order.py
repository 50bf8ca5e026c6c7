"""The order a round takes its items in (diego.md §1.3), with equal items shuffled."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from simulator.diego.auction_fleet import tuning
from simulator.diego.auction_fleet.arrays import WorkBatch


def fleet_order(
    lrps: WorkBatch, tasks: WorkBatch, rng: np.random.Generator
) -> tuple[list[int], list[int], list[int]]:
    """Batch positions of the index-0 LRPs, the tasks, and the LRPs of index ≥ 1, in order (§1.3).

    LRPs by index ascending then memory descending, tasks by memory descending; equal items in
    uniformly random order (drawn only when there are equal items).
    """
    if len(lrps.app) + len(tasks.app) <= tuning.SMALL_BATCH:
        # The same orders and draws in plain Python: a round of a few items costs less so.
        index = np.asarray(lrps.index).tolist()
        lrp_list = _sorted_small(rng, index, [-m for m in np.asarray(lrps.memory_mb).tolist()])
        task_list = _sorted_small(
            rng, [0] * len(tasks.app), [-m for m in np.asarray(tasks.memory_mb).tolist()]
        )
        first = sum(i < 1 for i in index)
        return lrp_list[:first], task_list, lrp_list[first:]
    lrp_order = _sorted(rng, np.asarray(lrps.index), -np.asarray(lrps.memory_mb))
    task_order = _sorted(rng, np.zeros(len(tasks.app), dtype=np.int64), -np.asarray(tasks.memory_mb))
    first = int(np.searchsorted(np.asarray(lrps.index)[lrp_order], 1))
    return lrp_order[:first].tolist(), task_order.tolist(), lrp_order[first:].tolist()


def _sorted_small(rng: np.random.Generator, primary: list[int], secondary: list[int]) -> list[int]:
    """:func:`_sorted` over lists: Python's sort is stable, as lexsort is."""
    if len(primary) < 2:
        return [0] * len(primary)
    keys = list(zip(primary, secondary, strict=True))
    order = sorted(range(len(keys)), key=keys.__getitem__)
    if all(keys[a] != keys[b] for a, b in pairwise(order)):
        return order
    return sorted(rng.permutation(len(keys)).tolist(), key=keys.__getitem__)


def _sorted(rng: np.random.Generator, primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    if len(primary) < 2:
        return np.zeros(len(primary), dtype=np.int64)
    order = np.lexsort((secondary, primary))
    same = (primary[order][1:] == primary[order][:-1]) & (secondary[order][1:] == secondary[order][:-1])
    if not same.any():
        return order
    shuffled = rng.permutation(len(primary))
    return shuffled[np.lexsort((secondary[shuffled], primary[shuffled]))]
