"""The fleet scheduler's node sampling: the scan order (kube-scheduler's ``nodeTree``) and counts
over sorted scan positions in the wrapping window a cycle examines, by bisection, so a cycle
never walks its window node by node.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np


def _count_between(positions: list[int], start: int, length: int, n: int) -> int:
    """Sorted ``positions`` in the wrapping range ``[start, start + length)`` of ``0..n-1``."""
    end = start + length
    if end <= n:
        return bisect_left(positions, end) - bisect_left(positions, start)
    return len(positions) - bisect_left(positions, start) + bisect_left(positions, end - n)


def positions_between(positions: list[int], start: int, length: int, n: int) -> tuple[int, int]:
    """Sorted ``positions`` in the wrapping range ``[start, start + length)`` of ``0..n-1``: the
    index of the first one a scan from ``start`` meets, and how many there are; the k-th is
    ``positions[(first + k) % len(positions)]``."""
    first = bisect_left(positions, start)
    end = start + length
    if end <= n:
        return first, bisect_left(positions, end, first) - first
    return first, len(positions) - first + bisect_left(positions, end - n, 0, first)


def examined_count(unusable: list[int], start: int, to_find: int, n: int) -> int:
    """How many positions a scan from ``start`` reads to meet ``to_find`` usable ones (enough exist)."""
    length = to_find
    while True:
        grown = to_find + _count_between(unusable, start, length, n)
        if grown == length:
            return length
        length = grown


def scan_permutation(zone: np.ndarray) -> np.ndarray:
    """``nodeTree`` order as node indices: one node per zone in turn, zones by first appearance."""
    members: dict[int, list[int]] = {}
    for node, z in enumerate(zone.tolist()):
        members.setdefault(z, []).append(node)
    depth = max((len(m) for m in members.values()), default=0)
    order = [m[i] for i in range(depth) for m in members.values() if i < len(m)]
    return np.array(order, dtype=np.int64)
