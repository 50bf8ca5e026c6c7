"""Filters, lanes and the score queues: one zone's fitting cells for a lane, bucketed by exact score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

LRP, TASK = 0, 1  # a lane's kind
OK, ROOTFS, TAGS = 0, 1, 3  # filter verdicts, ranked like auction._FILTER_RANK
INF = float("inf")  # the key of a cell out of a queue


def verdict(profile: tuple[tuple[str, ...], ...], stack: str, tags: tuple[str, ...]) -> int:
    """auction.filter_verdict on a cell's (stacks, required tags, optional tags)."""
    stacks, required, optional = profile
    if stack not in stacks:
        return ROOTFS
    wanted, needed = set(tags), set(required)
    return OK if needed <= wanted <= needed | set(optional) else TAGS


@dataclass(slots=True)
class Filter:
    """Which live cells pass one (stack, placement tags) filter, and the error when none does."""

    cells: np.ndarray  # the passing cells
    zones: list[int]  # zones holding a passing cell, ascending
    error: str  # the furthest filter error (§1.4)
    zone_of: np.ndarray  # the passing cells' zones
    member: bytearray  # 1 for a passing cell, by cell position
    everyone: bool  # every cell passes (and is live)
    zone_cells: dict[int, np.ndarray] | None = None  # each zone's passing cells, once asked for


@dataclass(slots=True)
class Lane:
    """A round's items of one kind, memory, disk and filter: what their scores depend on, bar
    an LRP's locality. ``queues`` per zone; ``own``: per zone for apps held by many cells."""

    kind: int
    memory: int
    disk: int
    filt: Filter
    zones: list[int]  # the filter's
    queued: bool
    queues: list[Queue | None]  # kept from round to round
    own: dict[int, list[Queue | None]]  # for one round: the apps' instances change between rounds
    no_fit: tuple[int, str] = (-1, "")
    seen: int = 0  # items of the lane over the rounds so far: queues pay off once there are enough
    direct: bool = False  # scored directly: too many changes between its items (tuning.DIRECT_ABOVE)
    changes_at: int = 0  # the round state's change count when the lane was last used
    churn: float = 0.0  # changed cells per item between uses, a moving average


class Queue:
    """One zone's fitting cells for a lane, bucketed by exact score.

    ``levels`` is a heap of the bucket keys, one entry per key; an empty bucket leaves with its
    heap entry, at once if it is the lowest, so ``levels[0]`` is the best score. ``key`` and
    ``pos``: each cell's bucket and place in it (inf: not in the queue). ``holders``: the app's
    instances per cell, for an app's own queue, whose scores include its locality.
    """

    __slots__ = (
        "buckets",
        "holders",
        "key",
        "key_of",
        "lane",
        "levels",
        "log",
        "members",
        "pos",
        "synced",
        "zone",
    )

    def __init__(
        self,
        zone: int,
        log: list[int],
        lane: Lane,
        holders: dict[int, int] | None,
        key_of: Callable[[int], float],
    ) -> None:
        self.zone = zone
        self.log = log  # the zone's reserved cells, in order; ``synced`` of them are accounted for
        self.lane = lane
        self.holders = holders
        self.members = zone_cells(lane.filt)[zone]
        self.key_of = key_of
        self.buckets: dict[float, list[int]] = {}
        self.levels: list[float] = []
        self.key: list[float] = []
        self.pos: list[int] = []
        self.synced = 0

    def rebucket(self, known: dict[int, float] | None = None) -> None:
        """Move the cells changed since the last catch-up (reserved, or changed between rounds)
        to the buckets of their new scores (``known``: the scores, when the caller has them)."""
        key, pos, buckets, levels, log = self.key, self.pos, self.buckets, self.levels, self.log
        tail = log[self.synced :]
        self.synced = len(log)
        if len(tail) > 1:
            tail = list(dict.fromkeys(tail))  # a cell logged twice is scored once
        if not self.lane.filt.everyone:
            member = self.lane.filt.member
            tail = [c for c in tail if member[c]]
        # A cell out of the queue (inf) did not fit, or was no member; one that did not fit may
        # fit after a change between rounds.
        key_of = self.key_of if known is None else lambda c: known.get(c, INF)
        for c in tail:
            new = key_of(c)
            old = key[c]
            if old == new:
                continue
            if old != INF:
                bucket = buckets[old]
                last = bucket.pop()
                if last != c:
                    i = pos[c]
                    bucket[i] = last
                    pos[last] = i
            key[c] = new
            if new != INF:
                bucket = buckets.get(new)  # type: ignore[assignment]
                if bucket is None:
                    buckets[new] = bucket = []
                    heappush(levels, new)
                pos[c] = len(bucket)
                bucket.append(c)
        while levels and not buckets[levels[0]]:
            del buckets[heappop(levels)]


def zone_cells(filt: Filter) -> dict[int, np.ndarray]:
    if filt.zone_cells is None:
        filt.zone_cells = {z: filt.cells[filt.zone_of == z] for z in filt.zones}
    return filt.zone_cells


def free_level(queue: Queue, held: list[int]) -> tuple[float, int, list[int]]:
    """The queue's lowest score that a cell outside ``held`` has, how many such cells have it,
    and the ``held`` cells that have it too."""
    key, levels, buckets = queue.key, queue.levels, queue.buckets
    found: tuple[float, int, list[int]] = (INF, 0, [])
    set_aside: list[float] = []
    while levels:
        level = levels[0]
        bucket = buckets[level]
        if not bucket:  # emptied while above the lowest level
            del buckets[heappop(levels)]
            continue
        here = [c for c in held if key[c] == level]
        if len(bucket) > len(here):
            found = (level, len(bucket) - len(here), here)
            break
        set_aside.append(heappop(levels))
    for level in set_aside:
        heappush(levels, level)
    return found


def zone_groups(zones: list[int], counts: list[int]) -> list[list[int]]:
    """Zones with the fewest instances of the app first; equal counts pooled (§1.6)."""
    groups: list[list[int]] = []
    for z in sorted(zones, key=counts.__getitem__):
        if groups and counts[groups[-1][0]] == counts[z]:
            groups[-1].append(z)
        else:
            groups.append([z])
    return groups
