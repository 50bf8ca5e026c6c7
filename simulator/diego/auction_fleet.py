"""The auctioneer's round over arrays, for fleet mode (docs/fleet.md §2.1).

:func:`schedule_round_fleet` places a round's LRPs and Tasks by the rules of
:func:`simulator.diego.auction.schedule_round` (diego.md §1.3–§1.8): the same order, filters and
their errors, resource fit, scores (term by term, with the same float operations), AZ balancing,
in-flight limit and reservations. Only the random draws differ, not their distribution:

* Equal items come in a uniformly random order (a permutation, then a stable sort).
* Ties. The per-item code shuffles all n cells and takes the first tied cell, walking zones in
  the order their first cell appears, then the shuffled order within a zone. Of the zones holding
  tied cells, the first to appear is the one holding the earliest of all their cells, which is
  uniform over those zones' cells: zone z wins with probability size_z / Σ size (size: every
  cell of the zone in the round). Within z the shuffle is exchangeable, so the first tied cell is
  uniform among z's tied cells. That is what is drawn here, with exact integer draws, and only
  when there is a tie.

How it is fast. An item's score on a cell depends on the item only through its lane (kind,
memory, disk, filter) and, for LRPs, the 1000-per-instance locality of its app. For each lane and
zone a :class:`_Queue` keeps the zone's fitting cells bucketed by exact score under a heap of the
distinct scores: the lowest bucket is the best cell and every cell tied with it. Queues catch up
lazily from a per-zone log of reserved cells: re-bucketing a few, or rebuilding with numpy after
many. The few cells holding an LRP's app are scored one by one beside the queue; an app held by
many cells gets queues of its own that include its locality. A run of a lane's items takes its
winners from one tie at once (:meth:`_Round.bulk`): each winner is checked to score above the
tie once placed, so the cells left stay tied and only the draws remain. Lanes with few items so
far are scored directly with numpy, which costs less than building their queues, and so are
lanes used so seldom that keeping their queues up with every change would cost more.

The queues are kept on the :class:`FleetCells` from round to round: a fleet run makes tens of
thousands of rounds of a dozen items, and between two of them only a few cells change (their
reservations, a container started, a task finished). A round begins by comparing the arrays
with its working copy of them (which also catches changes not recorded in ``changed``) and
logging the cells that differ; the queues catch up with them as with their own reservations.
A caller that records every change in ``changed`` may say so (``changed_complete``), and the
round then reads just those cells.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from heapq import heappop, heappush
from itertools import pairwise

import numpy as np

from simulator.diego.auction import (
    CellState,
    LRPWork,
    TaskWork,
    insufficient_resources_error,
    placement_tag_error,
)
from simulator.diego.constants import (
    ERROR_CELL_COMMUNICATION,
    ERROR_INFLIGHT_LIMIT,
    ERROR_ROOTFS,
    LOCALITY_OFFSET,
)
from simulator.scenario import DiegoSettings

# Tuning, measured with benchmarks/scale.py at 1,000 cells (not numbers of Diego's):
# a lane (kind, memory, disk, filter) with fewer items in a round is scored directly with numpy;
QUEUE_MIN_ITEMS = 8
# a queue re-buckets at most this many reserved cells one by one, else rebuilds with numpy;
REBUCKET_LIMIT = 96
# a round of at most this many items is ordered and split into lanes in plain Python;
SMALL_BATCH = 64
# a zone's log of changed cells is trimmed once longer than this (the queues kept across rounds);
LOG_KEEP = 4096
# an app held by more cells gets queues scored with its own locality term;
FEW_HOLDERS = 16
# a run of items drawn from one tie at once needs at least this many tied cells and items;
BULK_MIN = 16
# a lane whose queues would re-bucket more changed cells per item than this (on average) is
# scored directly instead, and goes back to queues below the lower mark: a rarely used lane
# would pay for every change between its items (a numpy pass costs about 40 re-bucketings).
DIRECT_ABOVE, QUEUE_BELOW = 60.0, 30.0

_LRP, _TASK = 0, 1
_OK, _ROOTFS, _TAGS = 0, 1, 3  # filter verdicts, ranked like auction._FILTER_RANK
_INF = float("inf")
_RAW_BLOCK = 256
_TWO_64 = 1 << 64


@dataclass(slots=True)
class FleetCells:
    """Every cell's state as the auctioneer sees it in a round; arrays mutated in place by a round.

    The auction keeps its score queues on the object from round to round. Between rounds the
    changing arrays (available resources, starting, task count) may be changed in place, best
    recorded in ``changed``; the others (zones, totals, proxy memory, stacks and tags) are not
    to be changed in place: replacing one, or changing ``live``, starts the queues afresh.
    """

    zone: np.ndarray  # int64 zone index per cell
    zone_names: list[str]
    names: list[str]
    index: np.ndarray  # int64, the cell's index (bin-pack term)
    stacks: list[tuple[str, ...]]
    placement_tags: list[tuple[str, ...]]
    optional_placement_tags: list[tuple[str, ...]]
    total_memory: np.ndarray
    total_disk: np.ndarray
    total_containers: np.ndarray
    available_memory: np.ndarray  # mutated
    available_disk: np.ndarray  # mutated
    available_containers: np.ndarray  # mutated
    starting: np.ndarray  # starting containers, mutated
    task_count: np.ndarray  # mutated
    proxy_memory: np.ndarray
    app_counts: dict[int, dict[int, int]]  # app id -> {cell position: instances}, mutated
    live: np.ndarray  # bool: cells that answered the state request this round
    # Cells whose state changed outside the auction since the last round (a container started,
    # a task finished): whoever changes the arrays between rounds adds them here.
    changed: set[int] = field(default_factory=set)
    # Whether ``changed`` names every such cell: a round then reads just those cells instead of
    # comparing every array with its working copy.
    changed_complete: bool = False
    # The auction's state kept from round to round (its score queues): see :func:`_round_state`.
    _auction: _Round | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class WorkBatch:
    """A round's work as arrays: app id, instance index, memory, disk, stack id, tags id.

    For tasks the index is 0 and the app is the task's app (task locality is per cell, not app).
    """

    app: np.ndarray
    index: np.ndarray
    memory_mb: np.ndarray
    disk_mb: np.ndarray
    stack: np.ndarray  # ids into ``stacks``
    tags: np.ndarray  # ids into ``tag_sets``
    stacks: list[str]
    tag_sets: list[tuple[str, ...]]


@dataclass(slots=True)
class RoundResult:
    lrp_cell: np.ndarray  # cell position per LRP of the batch (batch order), -1 when not placed
    lrp_error: np.ndarray  # 0 placed, else an index into ``errors``
    task_cell: np.ndarray
    task_error: np.ndarray
    errors: list[str]  # word for word as the per-item auction gives them ("" at 0)
    ties: int  # placements decided by a tie-break


def fleet_cells(states: list[CellState], app_ids: dict[str, int]) -> FleetCells:
    """The arrays of per-item cell states. Apps missing from ``app_ids`` are added to it.

    Evacuating cells are not live: the auctioneer leaves them out of the round (§1.2).
    """

    def column(attribute: str) -> np.ndarray:
        return np.array([getattr(s, attribute) for s in states], dtype=np.int64)

    zone_names = list(dict.fromkeys(s.zone for s in states))
    zone_id = {zone: i for i, zone in enumerate(zone_names)}
    app_counts: dict[int, dict[int, int]] = {}
    for position, state in enumerate(states):
        for app, count in state.lrp_counts.items():
            if count:
                app_counts.setdefault(_app_id(app_ids, app), {})[position] = count
    return FleetCells(
        zone=np.array([zone_id[s.zone] for s in states], dtype=np.int64),
        zone_names=zone_names,
        names=[s.name for s in states],
        index=column("index"),
        stacks=[s.stacks for s in states],
        placement_tags=[s.placement_tags for s in states],
        optional_placement_tags=[s.optional_placement_tags for s in states],
        total_memory=column("total_memory_mb"),
        total_disk=column("total_disk_mb"),
        total_containers=column("total_containers"),
        available_memory=column("available_memory_mb"),
        available_disk=column("available_disk_mb"),
        available_containers=column("available_containers"),
        starting=column("starting_containers"),
        task_count=column("task_count"),
        proxy_memory=column("proxy_memory_mb"),
        app_counts=app_counts,
        live=np.array([not s.evacuating for s in states], dtype=bool),
    )


def work_batch(items: Sequence[LRPWork | TaskWork], app_ids: dict[str, int]) -> WorkBatch:
    """The arrays of per-item work (all LRPs or all tasks). Apps missing from ``app_ids`` are added."""
    stacks = list(dict.fromkeys(w.stack for w in items))
    tag_sets = list(dict.fromkeys(w.placement_tags for w in items))

    def column(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=np.int64)

    return WorkBatch(
        app=column([_app_id(app_ids, w.app) for w in items]),
        index=column([w.index if isinstance(w, LRPWork) else 0 for w in items]),
        memory_mb=column([w.memory_mb for w in items]),
        disk_mb=column([w.disk_mb for w in items]),
        stack=column([stacks.index(w.stack) for w in items]),
        tags=column([tag_sets.index(w.placement_tags) for w in items]),
        stacks=stacks,
        tag_sets=tag_sets,
    )


def _app_id(app_ids: dict[str, int], app: str) -> int:
    if app not in app_ids:
        app_ids[app] = max(app_ids.values(), default=-1) + 1
    return app_ids[app]


def fleet_order(
    lrps: WorkBatch, tasks: WorkBatch, rng: np.random.Generator
) -> tuple[list[int], list[int], list[int]]:
    """Batch positions of the index-0 LRPs, the tasks, and the LRPs of index ≥ 1, in order (§1.3).

    LRPs by index ascending then memory descending, tasks by memory descending; equal items in
    uniformly random order (drawn only when there are equal items).
    """
    if len(lrps.app) + len(tasks.app) <= SMALL_BATCH:
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


def _verdict(profile: tuple[tuple[str, ...], ...], stack: str, tags: tuple[str, ...]) -> int:
    """auction.filter_verdict on a cell's (stacks, required tags, optional tags)."""
    stacks, required, optional = profile
    if stack not in stacks:
        return _ROOTFS
    wanted, needed = set(tags), set(required)
    return _OK if needed <= wanted <= needed | set(optional) else _TAGS


@dataclass(slots=True)
class _Filter:
    """Which live cells pass one (stack, placement tags) filter, and the error when none does."""

    cells: np.ndarray  # the passing cells
    zones: list[int]  # zones holding a passing cell, ascending
    error: str  # the furthest filter error (§1.4)
    zone_of: np.ndarray  # the passing cells' zones
    member: bytearray  # 1 for a passing cell, by cell position
    everyone: bool  # every cell passes (and is live)
    zone_cells: dict[int, np.ndarray] | None = None  # each zone's passing cells, once asked for


@dataclass(slots=True)
class _Lane:
    """A round's items of one kind, memory, disk and filter: what their scores depend on, bar
    an LRP's locality. ``queues`` per zone; ``own``: per zone for apps held by many cells."""

    kind: int
    memory: int
    disk: int
    filt: _Filter
    zones: list[int]  # the filter's
    queued: bool
    queues: list[_Queue | None]  # kept from round to round
    own: dict[int, list[_Queue | None]]  # for one round: the apps' instances change between rounds
    no_fit: tuple[int, str] = (-1, "")
    seen: int = 0  # items of the lane over the rounds so far: queues pay off once there are enough
    direct: bool = False  # scored directly: too many changes between its items (DIRECT_ABOVE)
    changes_at: int = 0  # the round state's change count when the lane was last used
    churn: float = 0.0  # changed cells per item between uses, a moving average


class _Queue:
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
        lane: _Lane,
        holders: dict[int, int] | None,
        key_of: Callable[[int], float],
    ) -> None:
        self.zone = zone
        self.log = log  # the zone's reserved cells, in order; ``synced`` of them are accounted for
        self.lane = lane
        self.holders = holders
        self.members = _zone_cells(lane.filt)[zone]
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
        key_of = self.key_of if known is None else lambda c: known.get(c, _INF)
        for c in tail:
            new = key_of(c)
            old = key[c]
            if old == new:
                continue
            if old != _INF:
                bucket = buckets[old]
                last = bucket.pop()
                if last != c:
                    i = pos[c]
                    bucket[i] = last
                    pos[last] = i
            key[c] = new
            if new != _INF:
                bucket = buckets.get(new)  # type: ignore[assignment]
                if bucket is None:
                    buckets[new] = bucket = []
                    heappush(levels, new)
                pos[c] = len(bucket)
                bucket.append(c)
        while levels and not buckets[levels[0]]:
            del buckets[heappop(levels)]


class _Round:
    """The auction's working state over a FleetCells: the cells' changing columns, filters, lanes
    and their queues. Kept from round to round (:func:`_round_state`); :meth:`begin` takes in
    what changed between rounds and resets what belongs to one round."""

    def __init__(self, cells: FleetCells, settings: DiegoSettings) -> None:
        self.cells = cells
        self.rng = np.random.default_rng(0)  # the round's, set by begin
        self.settings = (settings.starting_container_weight, settings.bin_pack_first_fit_weight)
        self.weight = settings.starting_container_weight
        self.binpack = settings.bin_pack_first_fit_weight
        self.fixed = _fixed_columns(cells)
        self.n = n = len(cells.names)
        self.live = np.array(cells.live, dtype=bool)
        self.live_bytes = self.live.tobytes()
        self.any_live = bool(self.live.any())
        self.zones = max(len(cells.zone_names), int(cells.zone.max()) + 1 if n else 0)
        self.zone: list[int] = cells.zone.tolist()
        self.app_counts = cells.app_counts
        # The working state: typed arrays for the Python loop, numpy views of them for numpy.
        self.memory, self.memory_np = _working(cells.available_memory)
        self.disk, self.disk_np = _working(cells.available_disk)
        self.containers, self.containers_np = _working(cells.available_containers)
        self.starting, self.starting_np = _working(cells.starting)
        self.tasks, self.tasks_np = _working(cells.task_count)
        self.differ = (np.empty(n, dtype=bool), np.empty(n, dtype=bool))  # begin's buffers
        self.statics: tuple[list[int], ...] = ()
        self.logs: list[list[int]] = [[] for _ in range(self.zones)]
        self.reserves = 0
        self.changes = 0  # cells changed or reserved over all rounds, for the lanes' churn
        self.ties = 0
        self.small_tie = 0  # the size of the last tie too small for a run: skip as many items
        self.lanes: dict[tuple[int, int, int, int], _Lane] = {}
        self.filters: dict[tuple[str, tuple[str, ...]], int] = {}
        self.filter_list: list[_Filter] = []
        self.zone_counts: dict[int, list[int]] = {}
        self.raw: list[int] = []
        self._sizes: list[int] | None = None
        self._weights: dict[tuple[int, ...], tuple[int, list[int], list[int], list[int]]] = {}
        self._profiles: tuple[np.ndarray, list[tuple[tuple[str, ...], ...]]] | None = None

    # -- lanes and filters ----------------------------------------------------------------

    def lane(self, kind: int, memory: int, disk: int, stack: str, tags: tuple[str, ...], items: int) -> _Lane:
        """The lane, with ``items`` more of its items: it gets queues once it has had enough."""
        filter_id = self.filter_id(stack, tags)
        key = (kind, memory, disk, filter_id)
        found = self.lanes.get(key)
        if found is None:
            filt = self.filter_list[filter_id]
            found = _Lane(kind, memory, disk, filt, filt.zones, False, [None] * self.zones, {})
            self.lanes[key] = found
        found.seen += items
        churn = found.churn = (found.churn + (self.changes - found.changes_at) / items) / 2
        found.changes_at = self.changes
        if found.direct != (churn > (QUEUE_BELOW if found.direct else DIRECT_ABOVE)):
            found.direct = not found.direct
            found.queues = [None] * self.zones  # rebuilt when the lane goes back to queues
        found.queued = found.seen >= QUEUE_MIN_ITEMS and not found.direct
        return found

    # -- from round to round ------------------------------------------------------------------

    # A copy of the cells starts afresh: the typed arrays and their numpy views would not stay
    # one memory through a deep copy or a pickle.
    def __deepcopy__(self, memo: dict[int, object]) -> None:
        return None

    def __reduce__(self) -> tuple[type[None], tuple[()]]:
        return type(None), ()

    def fits(self, cells: FleetCells, settings: DiegoSettings) -> bool:
        """Whether this state was made for these cells as they stand: the same columns that do
        not change, the same live cells and the same scoring settings."""
        return (
            self.cells is cells
            and self.settings == (settings.starting_container_weight, settings.bin_pack_first_fit_weight)
            and all(a is b for a, b in zip(self.fixed, _fixed_columns(cells), strict=True))
            and len(cells.names) == self.n
            and cells.live.tobytes() == self.live_bytes
        )

    def begin(self, rng: np.random.Generator) -> None:
        """A new round: take in the cells changed since the last one (``cells.changed``, and
        any other difference between the arrays and the working state), so that the queues
        re-bucket them; forget what held for the last round only."""
        self.rng = rng
        self.raw = []
        self.changes += self.reserves
        self.ties = self.small_tie = self.reserves = 0
        self.zone_counts = {}
        self.app_counts = self.cells.app_counts
        for lane in self.lanes.values():
            lane.own = {}
            lane.no_fit = (-1, "")
        cells = self.cells
        if cells.changed_complete:
            self.take_changed(sorted(cells.changed))
            cells.changed.clear()
            return
        cells.changed.clear()
        # Comparing the arrays costs little and catches changes a caller did not record.
        differ, column_differs = self.differ
        np.not_equal(cells.available_memory, self.memory_np, out=differ)
        for column, working in (
            (cells.available_disk, self.disk_np),
            (cells.available_containers, self.containers_np),
            (cells.starting, self.starting_np),
            (cells.task_count, self.tasks_np),
        ):
            np.logical_or(differ, np.not_equal(column, working, out=column_differs), out=differ)
        self.take_changed(np.flatnonzero(differ).tolist())

    def take_changed(self, moved: list[int]) -> None:
        """The working state takes the cells' new values; their zones' logs name them."""
        if not moved:
            return
        cells = self.cells
        self.changes += len(moved)
        at = np.array(moved, dtype=np.int64)  # an array index costs a fifth of a list's
        self.memory_np[at] = cells.available_memory[at]
        self.disk_np[at] = cells.available_disk[at]
        self.containers_np[at] = cells.available_containers[at]
        self.starting_np[at] = cells.starting[at]
        self.tasks_np[at] = cells.task_count[at]
        zone, logs = self.zone, self.logs
        for c in moved:
            logs[zone[c]].append(c)
        for z, log in enumerate(logs):
            if len(log) > LOG_KEEP:
                self.trim(z, log)

    def trim(self, z: int, log: list[int]) -> None:
        """Drop the zone's log entries every queue has caught up with; a queue too far behind
        to catch up cell by cell is dropped and built again when next used."""
        queues: list[_Queue] = []
        for lane in self.lanes.values():
            queue = lane.queues[z]
            if queue is not None:
                if len(log) - queue.synced > REBUCKET_LIMIT:
                    lane.queues[z] = None
                else:
                    queues.append(queue)
        done = min((q.synced for q in queues), default=len(log))
        del log[:done]
        for queue in queues:
            queue.synced -= done

    def filter_id(self, stack: str, tags: tuple[str, ...]) -> int:
        """The index in ``filter_list`` of the (stack, tags) filter, computed once a round."""
        found = self.filters.get((stack, tags))
        if found is None:
            ids, profiles = self.profiles()
            verdicts = [_verdict(p, stack, tags) for p in profiles]
            passing = (
                self.live
                if verdicts == [_OK]
                else (np.array(verdicts, dtype=np.int64)[ids] == _OK) & self.live
            )
            cells = np.flatnonzero(passing)
            zone_of = self.cells.zone[cells]
            zones = np.flatnonzero(np.bincount(zone_of, minlength=self.zones)).tolist()
            # The furthest error over the cells that answered: placement tags beat rootfs (§1.4).
            tags_failed = _TAGS in verdicts and bool(
                (np.array(verdicts, dtype=np.int64)[ids][self.live] == _TAGS).any()
            )
            error = placement_tag_error(tags) if tags_failed else ERROR_ROOTFS
            found = len(self.filter_list)
            member = np.zeros(self.n, dtype=np.uint8)
            member[cells] = 1
            everyone = len(cells) == self.n
            self.filter_list.append(
                _Filter(cells, zones, error, zone_of, bytearray(member.tobytes()), everyone)
            )
            self.filters[(stack, tags)] = found
        return found

    def profiles(self) -> tuple[np.ndarray, list[tuple[tuple[str, ...], ...]]]:
        """Cells grouped by (stacks, tags, optional tags): fleets have a handful of kinds."""
        if self._profiles is None:
            c, n = self.cells, self.n
            columns = (c.stacks, c.placement_tags, c.optional_placement_tags)
            if n and all(column.count(column[0]) == n for column in columns):
                self._profiles = np.zeros(n, dtype=np.int64), [tuple(column[0] for column in columns)]
            else:
                table: dict[tuple[tuple[str, ...], ...], int] = {}
                ids = [table.setdefault(p, len(table)) for p in zip(*columns, strict=True)]
                self._profiles = np.array(ids, dtype=np.int64), list(table)
        return self._profiles

    @property
    def sizes(self) -> list[int]:
        """Live cells per zone: every cell of the zone in the round's state list."""
        if self._sizes is None:
            self._sizes = np.bincount(self.cells.zone[self.live], minlength=self.zones).tolist()
        return self._sizes

    # -- scores ---------------------------------------------------------------------------

    def static_lists(self) -> tuple[list[int], ...]:
        """Totals, proxy memory and index as lists, for scoring in Python."""
        if not self.statics:
            c = self.cells
            self.statics = tuple(
                a.tolist()
                for a in (c.total_memory, c.total_disk, c.total_containers, c.proxy_memory, c.index)
            )
        return self.statics

    def write_back(self) -> None:
        """The round's reservations into the cells' arrays: they equal the working state again."""
        if self.reserves:
            c = self.cells
            c.available_memory[:] = self.memory_np
            c.available_disk[:] = self.disk_np
            c.available_containers[:] = self.containers_np
            c.starting[:] = self.starting_np
            c.task_count[:] = self.tasks_np

    def key_function(self, lane: _Lane, holders: dict[int, int] | None) -> Callable[[int], float]:
        """A cell's score for the lane, or inf if it does not fit: auction.lrp_score_terms or
        task_score_terms summed in the same order; the LRP locality only in an app's own queue."""
        memory, disk = lane.memory, lane.disk
        available_memory, available_disk, containers = self.memory, self.disk, self.containers
        starting, tasks, weight, binpack = self.starting, self.tasks, self.weight, self.binpack
        total_memory, total_disk, total_containers, proxy, index = self.static_lists()

        if lane.kind == _TASK:

            def task_key(c: int) -> float:
                m, d, n = available_memory[c], available_disk[c], containers[c]
                if m < memory or d < disk or n < 1:
                    return _INF
                resource = (
                    (1.0 - (m - memory) / total_memory[c])
                    + (1.0 - (d - disk) / total_disk[c])
                    + (1.0 - (n - 1) / total_containers[c])
                ) / 3.0
                return resource + starting[c] * weight + LOCALITY_OFFSET * tasks[c]

            return task_key

        def lrp_key(c: int) -> float:
            m, d, n, wanted = available_memory[c], available_disk[c], containers[c], memory + proxy[c]
            if m < wanted or d < disk or n < 1:
                return _INF
            resource = (
                (1.0 - (m - wanted) / total_memory[c])
                + (1.0 - (d - disk) / total_disk[c])
                + (1.0 - (n - 1) / total_containers[c])
            ) / 3.0
            score = resource + starting[c] * weight
            if holders is not None:
                score = score + LOCALITY_OFFSET * holders.get(c, 0)
            # A zero locality or bin-pack term leaves the float as it is, so both may be skipped.
            return score + index[c] * binpack if binpack else score

        return lrp_key

    def lrp_score(self, c: int, lane: _Lane, instances: int) -> float:
        """The full LRP score of a cell holding ``instances`` of the app, as the per-item code sums it."""
        total_memory, total_disk, total_containers, proxy, index = self.static_lists()
        wanted = lane.memory + proxy[c]
        resource = (
            (1.0 - (self.memory[c] - wanted) / total_memory[c])
            + (1.0 - (self.disk[c] - lane.disk) / total_disk[c])
            + (1.0 - (self.containers[c] - 1) / total_containers[c])
        ) / 3.0
        score = resource + self.starting[c] * self.weight + LOCALITY_OFFSET * instances
        return score + index[c] * self.binpack

    def vector_keys(
        self, lane: _Lane, holders: dict[int, int] | None, cells: np.ndarray, taken: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """The fitting cells among ``cells`` and their scores, by the same float operations; with
        ``taken`` = 1, as they would be once each cell had reserved one more of the lane's items."""
        c = self.cells
        memory = lane.memory + c.proxy_memory[cells] if lane.kind == _LRP else lane.memory
        available_memory = self.memory_np[cells] - lane.memory * taken
        available_disk = self.disk_np[cells] - lane.disk * taken
        containers = self.containers_np[cells] - taken
        starting = self.starting_np[cells] + taken
        fits = (available_memory >= memory) & (available_disk >= lane.disk) & (containers >= 1)
        if not fits.all():
            cells, available_memory, available_disk = (
                cells[fits],
                available_memory[fits],
                available_disk[fits],
            )
            containers, starting = containers[fits], starting[fits]
            if lane.kind == _LRP:
                memory = memory[fits]  # type: ignore[index]
        keys = (
            (1.0 - (available_memory - memory) / c.total_memory[cells])
            + (1.0 - (available_disk - lane.disk) / c.total_disk[cells])
            + (1.0 - (containers - 1) / c.total_containers[cells])
        ) / 3.0 + starting * self.weight
        if lane.kind == _TASK:
            return cells, keys + LOCALITY_OFFSET * (self.tasks_np[cells] + taken)
        if holders:
            instances = np.zeros(self.n, dtype=np.int64)
            instances[list(holders)] = list(holders.values())
            keys = keys + LOCALITY_OFFSET * instances[cells]
        if self.binpack:
            keys = keys + c.index[cells] * self.binpack
        return cells, keys

    # -- queues ---------------------------------------------------------------------------

    def fresh(
        self, queues: list[_Queue | None], lane: _Lane, holders: dict[int, int] | None, z: int
    ) -> _Queue:
        """The zone's queue, built or caught up with the cells reserved since."""
        queue = queues[z]
        if queue is None:
            queue = queues[z] = _Queue(z, self.logs[z], lane, holders, self.key_function(lane, holders))
            self.build(queue)
            return queue
        behind = len(queue.log) - queue.synced
        if behind > REBUCKET_LIMIT:
            self.build(queue)
        elif behind:
            queue.rebucket()
        return queue

    def build(self, queue: _Queue) -> None:
        cells, keys = self.vector_keys(queue.lane, queue.holders, queue.members)
        order = np.argsort(keys, kind="stable")
        keys, cells = keys[order], cells[order]
        count = len(keys)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if count else order
        key_list, cell_list, bounds = keys.tolist(), cells.tolist(), [*starts.tolist(), count]
        queue.buckets = {key_list[a]: cell_list[a:b] for a, b in pairwise(bounds)}
        queue.levels = [key_list[a] for a in bounds[:-1]]  # ascending: already a heap
        key = np.full(self.n, _INF)
        key[cells] = keys
        pos = np.zeros(self.n, dtype=np.int64)
        pos[cells] = np.arange(count) - np.repeat(starts, np.diff(bounds))
        queue.key, queue.pos = array("d", key.tobytes()), array("q", pos.tobytes())
        queue.synced = len(queue.log)

    # -- placing ----------------------------------------------------------------------------

    def place_lrp(self, app: int, lane: _Lane) -> int:
        """scheduleLRPAuction (§1.6): the winning cell, or -1 if none fits."""
        holders = self.app_counts.get(app)
        zones = lane.filt.zones
        if not holders:
            if lane.queued:
                return self.best_in_queues(lane.queues, lane, None, zones)
            return self.direct(lane, None, [zones])
        groups = _zone_groups(zones, self.app_zone_counts(app, holders))
        if not lane.queued:
            return self.direct(lane, holders, groups)
        own = len(holders) > FEW_HOLDERS
        queues = lane.own.setdefault(app, [None] * self.zones) if own else lane.queues
        zone = self.zone
        for group in groups:
            near = [] if own else [(c, k) for c, k in holders.items() if k and zone[c] in group]
            if near:
                winner = self.best_with_holders(lane, near, group)
            else:
                winner = self.best_in_queues(queues, lane, holders if own else None, group)
            if winner >= 0:
                return winner
        return -1

    def place_task(self, lane: _Lane) -> int:
        """scheduleTaskAuction (§1.7): all zones pooled; the winning cell, or -1 if none fits."""
        if lane.queued:
            return self.best_in_queues(lane.queues, lane, None, lane.filt.zones)
        return self.direct(lane, None, [lane.filt.zones])

    def direct(self, lane: _Lane, holders: dict[int, int] | None, groups: list[list[int]]) -> int:
        """Every cell of a zone group scored at once with numpy; the first group with a fit wins."""
        for group in groups:
            if len(group) == len(lane.filt.zones):
                cells = lane.filt.cells
            else:
                cells = lane.filt.cells[np.isin(lane.filt.zone_of, group)]
            cells, keys = self.vector_keys(lane, holders, cells)
            if len(cells):
                tied = cells[keys == keys.min()]
                if len(tied) == 1:
                    return int(tied[0])
                self.ties += 1
                zone_of = self.cells.zone[tied]
                counts = np.bincount(zone_of)
                zones = np.flatnonzero(counts).tolist()
                j, u = self.pick(zones, counts[zones].tolist())
                return int(tied[zone_of == zones[j]][u])
        return -1

    def best_in_queues(
        self, queues: list[_Queue | None], lane: _Lane, holders: dict[int, int] | None, zones: list[int]
    ) -> int:
        """The lowest score over the zones' queues; ties by zone size, then uniform in the zone."""
        best = _INF
        tops: list[_Queue] = []
        for z in zones:
            queue = queues[z]
            if queue is None:
                queue = self.fresh(queues, lane, holders, z)
            elif queue.synced != len(queue.log):
                if len(queue.log) - queue.synced > REBUCKET_LIMIT:
                    self.build(queue)
                else:
                    queue.rebucket()
            levels = queue.levels
            if levels:
                top = levels[0]
                if top < best:
                    best, tops = top, [queue]
                elif top == best:
                    tops.append(queue)
        if not tops:
            return -1
        if len(tops) == 1:
            bucket = tops[0].buckets[best]
            if len(bucket) == 1:
                return bucket[0]
            self.ties += 1
            return bucket[self.below(len(bucket))]
        self.ties += 1
        buckets = [q.buckets[best] for q in tops]
        j, u = self.pick([q.zone for q in tops], list(map(len, buckets)))
        return buckets[j][u]

    def bulk(self, lane: _Lane, items: list[int], apps: list[int], placed: list[int], room: int) -> int:
        """Place a run of the lane's items from its lowest score's tie, each drawn the per-item
        way: a zone by size among those (of its AZ group) still holding tied cells, then a cell
        uniformly. Every winner is checked to score above the tie once placed, so the rest stay
        tied and the draws need no queue work. The run stops at an app placed earlier in it or
        running in its group (its cells score apart), after ``room`` items, or when its zones
        run out of tied cells. Returns how many were placed; 0 (and ``small_tie``) if none."""
        best = _INF
        tops: list[_Queue] = []
        for z in lane.zones:
            queue = self.fresh(lane.queues, lane, None, z)
            if queue.levels and queue.levels[0] <= best:
                if queue.levels[0] < best:
                    best, tops = queue.levels[0], []
                tops.append(queue)
        buckets = [q.buckets[best] for q in tops]
        tied = sum(map(len, buckets))
        self.small_tie = max(tied, 1)
        if tied < BULK_MIN:
            return 0
        # The run: each item's zones among the tie's (None: all of them) and the cells it passes
        # over, those running its app (they score 1000 more per instance: checked), up to the
        # first item whose app was placed earlier in the run.
        slot = {q.zone: j for j, q in enumerate(tops)}
        app_counts = self.app_counts if lane.kind == _LRP else {}
        anywhere: tuple[None, frozenset[int]] = (None, frozenset())
        allowed: list[tuple[list[int] | None, frozenset[int]]] = []
        seen: set[int] = set()
        for i in items[: min(room, tied)]:
            app = apps[i]
            holders = app_counts.get(app)
            if app in seen:
                break
            if holders:
                counts = self.app_zone_counts(app, holders)
                group = _zone_groups(lane.zones, counts)[0]
                if not slot.keys() & group:
                    break
                held: frozenset[int] = frozenset()
                if counts[group[0]]:
                    held = frozenset(
                        c
                        for c, k in holders.items()
                        if k
                        and self.zone[c] in slot
                        and self.zone[c] in group
                        and tops[slot[self.zone[c]]].key[c] == best
                    )
                    if any(self.lrp_score(c, lane, holders[c]) <= best for c in held):
                        break
                allowed.append(([slot[z] for z in group if z in slot], held))
            else:
                allowed.append(anywhere)
            seen.add(app)
        if not allowed:
            return 0
        fitting, after = self.vector_keys(lane, None, np.array([c for b in buckets for c in b]), taken=1)
        if not (after > best).all():
            return 0
        sizes = [self.sizes[q.zone] for q in tops]
        remaining = list(map(len, buckets))
        everywhere = list(range(len(tops)))  # the tie's zones with cells left
        everywhere_size = sum(sizes)
        # Each zone's tied cells left, in a random order drawn when first needed: taking the last
        # takes one uniformly; so does taking any at a uniform position, as a passing-over must.
        shuffled: list[list[int]] = [[] for _ in tops]
        taken: list[list[int]] = [[] for _ in tops]
        gone: set[int] = set()  # the winners, when some item passes cells over
        held_any = any(held for _, held in allowed)
        ties, below, raw = 0, self.below, self.raw
        for n, (zones, held) in enumerate(allowed):
            if zones is None:
                open_, size = everywhere, everywhere_size
                ties += tied - n > 1
            else:
                # Tied cells left per zone, bar the ones the item passes over.
                left = [remaining[j] for j in zones]
                for c in held - gone:
                    left[zones.index(slot[self.zone[c]])] -= 1
                open_ = [j for j, count in zip(zones, left, strict=True) if count]
                size = sum([sizes[j] for j in open_])
                ties += sum(left) > 1
            if not open_:
                del allowed[n:]
                break
            j = open_[0]
            if len(open_) > 1:
                # below(size), inlined: a 64-bit draw, unless it falls in the uneven tail.
                r = raw.pop() if raw else -1
                if r < 0 or r - r % size > _TWO_64 - size:
                    r = below(size)
                r %= size
                for j in open_:
                    r -= sizes[j]
                    if r < 0:
                        break
            if not shuffled[j]:
                shuffled[j] = [buckets[j][p] for p in self.rng.permutation(remaining[j]).tolist()]
            cells = shuffled[j]
            if held:
                u = below(len(cells))
                while cells[u] in held:
                    u = below(len(cells))
                c, cells[u] = cells[u], cells[-1]
                cells.pop()
            else:
                c = cells.pop()
            remaining[j] -= 1
            if not remaining[j]:
                everywhere.remove(j)
                everywhere_size -= sizes[j]
            placed[items[n]] = c
            taken[j].append(c)
            if held_any:
                gone.add(c)
        self.ties += ties
        run = items[: len(allowed)]
        self.reserve_run(lane, run, apps, placed, tops, taken)
        # The lane's queues know the winners' new scores already: re-bucketing them costs half
        # as much as usual, so it pays for up to twice as many cells before a rebuild does.
        if max(map(len, taken)) <= 2 * REBUCKET_LIMIT:
            known = dict(zip(fitting.tolist(), after.tolist(), strict=True))
            for queue in tops:
                queue.rebucket(known)
        return len(run)

    def best_with_holders(self, lane: _Lane, holders: list[tuple[int, int]], zones: list[int]) -> int:
        """As :meth:`best_in_queues`, where the queues' scores leave out the app's locality: the
        cells holding the app are scored one by one and passed over in the buckets."""
        zone = self.zone
        rows: list[tuple[_Queue, float, int, list[int], list[tuple[float, int]]]] = []
        best = _INF
        for z in zones:
            queue = self.fresh(lane.queues, lane, None, z)
            key = queue.key
            held = [(c, k) for c, k in holders if zone[c] == z and key[c] != _INF]
            scored = [(self.lrp_score(c, lane, k), c) for c, k in held]
            level, free, passed = _free_level(queue, [c for c, _ in held])
            rows.append((queue, level, free, passed, scored))
            best = min(best, level, *(s for s, _ in scored))
        if best == _INF:
            return -1
        tie_zones: list[int] = []
        counts: list[int] = []
        for queue, level, free, _, scored in rows:
            tied = (free if level == best else 0) + sum(s == best for s, _ in scored)
            if tied:
                tie_zones.append(queue.zone)
                counts.append(tied)
        if sum(counts) > 1:
            self.ties += 1
        j, u = self.pick(tie_zones, counts)
        queue, level, _, passed, scored = next(row for row in rows if row[0].zone == tie_zones[j])
        tied_holders = [c for s, c in scored if s == best]
        if u < len(tied_holders):
            return tied_holders[u]
        u -= len(tied_holders)
        for p in sorted(queue.pos[c] for c in passed):  # the u-th cell not holding the app
            if p <= u:
                u += 1
        return queue.buckets[level][u]

    # -- draws ----------------------------------------------------------------------------

    def below(self, bound: int) -> int:
        """A uniform integer in [0, bound), exactly: 64-bit draws, rejecting the uneven tail."""
        raw = self.raw
        while True:
            if not raw:
                raw.extend(self.rng.bit_generator.random_raw(_RAW_BLOCK).tolist())
            x = raw.pop()
            r = x % bound
            if x - r <= _TWO_64 - bound:
                return r

    def pick(self, zones: list[int], counts: list[int]) -> tuple[int, int]:
        """The tie-break: zone ``j`` with probability size / Σ size over ``zones``, then a uniform
        index below ``counts[j]`` (that zone's tied cells); exact, mostly from one draw."""
        if len(zones) == 1:
            return 0, self.below(counts[0]) if counts[0] > 1 else 0
        key = tuple(zones)
        weights = self._weights.get(key)
        if weights is None:
            sizes = [self.sizes[z] for z in zones]
            ends = np.cumsum(sizes).tolist()
            weights = self._weights[key] = (ends[-1], ends[:-1], [0, *ends[:-1]], sizes)
        total, ends, starts, sizes = weights
        r = self.below(total)
        j = bisect_right(ends, r)
        count = counts[j]
        if count == 1:
            return j, 0
        # Where r fell within zone j is uniform too: use it, unless it is in the uneven tail.
        offset = r - starts[j]
        if offset < count * (sizes[j] // count):
            return j, offset % count
        return j, self.below(count)

    # -- reservations ---------------------------------------------------------------------

    def reserve(self, c: int, lrp: bool, app: int, memory: int, disk: int) -> None:
        """auction.reserve: raw memory (no proxy), disk, a container, a start, the locality count."""
        self.memory[c] -= memory
        self.disk[c] -= disk
        self.containers[c] -= 1
        self.starting[c] += 1
        zone = self.zone[c]
        if lrp:
            holders = self.app_counts.get(app)
            if holders is None:
                self.app_counts[app] = {c: 1}
            else:
                holders[c] = holders.get(c, 0) + 1
            counts = self.zone_counts.get(app)
            if counts is not None:
                counts[zone] += 1
        else:
            self.tasks[c] += 1
        self.logs[zone].append(c)
        self.reserves += 1

    def reserve_run(
        self,
        lane: _Lane,
        run: list[int],
        apps: list[int],
        placed: list[int],
        tops: list[_Queue],
        taken: list[list[int]],
    ) -> None:
        """:meth:`reserve` for a run's winners (distinct cells, distinct apps)."""
        for queue, cells in zip(tops, taken, strict=True):
            queue.log.extend(cells)
        self.reserves += len(run)
        at = np.array([placed[i] for i in run], dtype=np.int64)
        self.memory_np[at] -= lane.memory
        self.disk_np[at] -= lane.disk
        self.containers_np[at] -= 1
        self.starting_np[at] += 1
        if lane.kind == _TASK:
            self.tasks_np[at] += 1
            return
        app_counts, zone_counts, zone = self.app_counts, self.zone_counts, self.zone
        for i in run:
            app, c = apps[i], placed[i]
            holders = app_counts.get(app)
            if not holders:  # an app on no cell yet, the common case
                app_counts[app] = {c: 1}
                continue
            holders[c] = holders.get(c, 0) + 1
            counts = zone_counts.get(app)
            if counts is not None:
                counts[zone[c]] += 1

    def app_zone_counts(self, app: int, holders: dict[int, int]) -> list[int]:
        """Instances of the app per zone, over the live cells (kept up to date by reserve)."""
        counts = self.zone_counts.get(app)
        if counts is None:
            counts = [0] * self.zones
            live, zone = self.live, self.zone
            for c, k in holders.items():
                if live[c]:
                    counts[zone[c]] += k
            self.zone_counts[app] = counts
        return counts

    def no_fit_error(self, lane: _Lane) -> str:
        """removeNonApplicableProblems: every passing cell was tried; keep the problems all shared."""
        if lane.no_fit[0] == self.reserves:
            return lane.no_fit[1]
        cells = lane.filt.cells
        memory = lane.memory + self.cells.proxy_memory[cells] if lane.kind == _LRP else lane.memory
        problems = {
            name
            for name, lacking in (
                ("disk", self.disk_np[cells] < lane.disk),
                ("memory", self.memory_np[cells] < memory),
                ("containers", self.containers_np[cells] < 1),
            )
            if lacking.all()
        }
        error = insufficient_resources_error(problems)
        lane.no_fit = (self.reserves, error)
        return error


def _round_state(cells: FleetCells, settings: DiegoSettings) -> _Round:
    """The auction's state for ``cells``, kept on them from round to round; made afresh for new
    cells, other settings, or when a column that should not change was replaced or the live
    cells changed."""
    state = cells._auction
    if state is None or not state.fits(cells, settings):
        state = cells._auction = _Round(cells, settings)
    return state


def _fixed_columns(cells: FleetCells) -> tuple[object, ...]:
    """The columns a round never changes (compared by identity: they are not to be mutated)."""
    return (
        cells.zone,
        cells.index,
        cells.total_memory,
        cells.total_disk,
        cells.total_containers,
        cells.proxy_memory,
        cells.stacks,
        cells.placement_tags,
        cells.optional_placement_tags,
    )


def _working(values: np.ndarray) -> tuple[array[int], np.ndarray]:
    typed = array("q", np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return typed, np.frombuffer(typed, dtype=np.int64)


def _zone_cells(filt: _Filter) -> dict[int, np.ndarray]:
    if filt.zone_cells is None:
        filt.zone_cells = {z: filt.cells[filt.zone_of == z] for z in filt.zones}
    return filt.zone_cells


def _free_level(queue: _Queue, held: list[int]) -> tuple[float, int, list[int]]:
    """The queue's lowest score that a cell outside ``held`` has, how many such cells have it,
    and the ``held`` cells that have it too."""
    key, levels, buckets = queue.key, queue.levels, queue.buckets
    found: tuple[float, int, list[int]] = (_INF, 0, [])
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


def _zone_groups(zones: list[int], counts: list[int]) -> list[list[int]]:
    """Zones with the fewest instances of the app first; equal counts pooled (§1.6)."""
    groups: list[list[int]] = []
    for z in sorted(zones, key=counts.__getitem__):
        if groups and counts[groups[-1][0]] == counts[z]:
            groups[-1].append(z)
        else:
            groups.append([z])
    return groups


def schedule_round_fleet(
    cells: FleetCells,
    lrps: WorkBatch,
    tasks: WorkBatch,
    settings: DiegoSettings,
    rng: np.random.Generator,
) -> RoundResult:
    """Scheduler.Schedule over arrays (§1.3–§1.8); ``cells`` are updated in place."""
    first, task_order, rest = fleet_order(lrps, tasks, rng)
    state = _round_state(cells, settings)
    state.begin(rng)
    errors = [""]
    codes = {"": 0}

    def code(text: str) -> int:
        if text not in codes:
            codes[text] = len(errors)
            errors.append(text)
        return codes[text]

    limit = settings.starting_container_count_maximum
    inflight = int(cells.starting[state.live].sum()) if limit > 0 else 0
    any_live = state.any_live
    outcomes = {_LRP: _outcome(lrps), _TASK: _outcome(tasks)}
    lanes = {_LRP: _lanes(state, _LRP, lrps), _TASK: _lanes(state, _TASK, tasks)}
    app_counts = cells.app_counts
    for kind, order in ((_LRP, first), (_TASK, task_order), (_LRP, rest)):
        apps, item_lanes, lane_ids = lanes[kind]
        placed, failed = outcomes[kind]
        is_lrp = kind == _LRP
        run_ends = _run_ends(lane_ids, order)
        k = next_run = 0
        while k < len(order):
            position, i = k, order[k]
            k += 1
            # place_in_order: the in-flight limit (§1.8) first, then no cells at all (§1.1).
            if limit > 0 and inflight >= limit:
                failed[i] = code(ERROR_INFLIGHT_LIMIT)
                continue
            if not any_live:
                failed[i] = code(ERROR_CELL_COMMUNICATION)
                continue
            lane = item_lanes[i]
            zones = lane.zones
            if not zones:
                failed[i] = code(lane.filt.error)
                continue
            app = apps[i]
            if lane.queued and run_ends[position] - position >= BULK_MIN and position >= next_run:
                room = limit - inflight if limit > 0 else len(order)
                done = state.bulk(lane, order[position : run_ends[position]], apps, placed, room)
                if done:
                    k = position + done
                    inflight += done
                    continue
                # No run from this tie: place its items the usual way before trying again.
                next_run = position + state.small_tie
            if lane.queued and not (is_lrp and app_counts.get(app)):
                winner = state.best_in_queues(lane.queues, lane, None, zones)
            else:
                winner = state.place_lrp(app, lane) if is_lrp else state.place_task(lane)
            if winner < 0:
                failed[i] = code(state.no_fit_error(lane))
                continue
            state.reserve(winner, is_lrp, app, lane.memory, lane.disk)
            placed[i] = winner
            inflight += 1
    state.write_back()
    (lrp_cell, lrp_error), (task_cell, task_error) = outcomes[_LRP], outcomes[_TASK]
    return RoundResult(
        lrp_cell=np.array(lrp_cell, dtype=np.int64),
        lrp_error=np.array(lrp_error, dtype=np.int64),
        task_cell=np.array(task_cell, dtype=np.int64),
        task_error=np.array(task_error, dtype=np.int64),
        errors=errors,
        ties=state.ties,
    )


def _outcome(batch: WorkBatch) -> tuple[list[int], list[int]]:
    return [-1] * len(batch.app), [0] * len(batch.app)


def _run_ends(lane_ids: list[int], order: list[int]) -> list[int]:
    """For each position in ``order``, where the run of items of the same lane ends."""
    ends = [0] * len(order)
    end = len(order)
    following = -1
    for position in range(len(order) - 1, -1, -1):
        lane = lane_ids[order[position]]
        if lane != following:
            end, following = position + 1, lane
        ends[position] = end
    return ends


def _lanes(state: _Round, kind: int, batch: WorkBatch) -> tuple[list[int], list[_Lane], list[int]]:
    """Per item: its app and its lane (and the lane's number). A lane with enough items
    (this round's and earlier ones') gets queues."""
    count = len(batch.app)
    if count <= max(SMALL_BATCH, 1):  # the many small rounds of a real push: plain Python
        columns = (batch.memory_mb, batch.disk_mb, batch.stack, batch.tags)
        keys = list(zip(*(np.asarray(c).tolist() for c in columns), strict=True))
        numbers: dict[tuple[int, int, int, int], int] = {}
        lane_ids = [numbers.setdefault(key, len(numbers)) for key in keys]
        sizes = [0] * len(numbers)
        for number in lane_ids:
            sizes[number] += 1
        lanes = [
            state.lane(kind, m, d, batch.stacks[s], batch.tag_sets[t], size)
            for (m, d, s, t), size in zip(numbers, sizes, strict=True)
        ]
        return np.asarray(batch.app).tolist(), [lanes[k] for k in lane_ids], lane_ids
    columns = np.stack([np.asarray(c) for c in (batch.memory_mb, batch.disk_mb, batch.stack, batch.tags)])
    order = np.lexsort(columns[::-1]) if count > 1 else np.zeros(count, dtype=np.int64)
    columns = columns[:, order]
    new_lane = np.concatenate(([True], (columns[:, 1:] != columns[:, :-1]).any(axis=0)))
    starts = np.flatnonzero(new_lane)
    sizes = np.diff(np.append(starts, count)).tolist()
    lanes = [
        state.lane(kind, m, d, batch.stacks[s], batch.tag_sets[t], size)
        for (m, d, s, t), size in zip(columns[:, starts].T.tolist(), sizes, strict=True)
    ]
    lane_of = np.empty(count, dtype=np.int64)
    lane_of[order] = np.cumsum(new_lane) - 1
    lane_ids = lane_of.tolist()
    return np.asarray(batch.app).tolist(), [lanes[k] for k in lane_ids], lane_ids
