"""The auction's working state over a FleetCells, kept from round to round: lanes, filters,
scores, queues, draws and reservations.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable
from itertools import pairwise

import numpy as np

from simulator.diego.auction import (
    insufficient_resources_error,
    placement_tag_error,
)
from simulator.diego.auction_fleet import tuning
from simulator.diego.auction_fleet.arrays import FleetCells
from simulator.diego.auction_fleet.queues import (
    INF,
    LRP,
    OK,
    TAGS,
    TASK,
    Filter,
    Lane,
    Queue,
    verdict,
)
from simulator.diego.constants import (
    ERROR_ROOTFS,
    LOCALITY_OFFSET,
)
from simulator.scenario import DiegoSettings

RAW_BLOCK = 256  # 64-bit draws taken from the generator at once
TWO_64 = 1 << 64


class RoundState:
    """The auction's working state over a FleetCells: the cells' changing columns, filters, lanes
    and their queues. Kept from round to round (:func:`round_state`); :meth:`begin` takes in
    what changed between rounds and resets what belongs to one round."""

    def __init__(self, cells: FleetCells, settings: DiegoSettings) -> None:
        self.cells = cells
        self.rng = np.random.default_rng(0)  # the round's, set by begin
        self.settings = (settings.starting_container_weight, settings.bin_pack_first_fit_weight)
        self.weight = settings.starting_container_weight
        self.binpack = settings.bin_pack_first_fit_weight
        self.fixed = fixed_columns(cells)
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
        self.lanes: dict[tuple[int, int, int, int], Lane] = {}
        self.filters: dict[tuple[str, tuple[str, ...]], int] = {}
        self.filter_list: list[Filter] = []
        self.zone_counts: dict[int, list[int]] = {}
        self.raw: list[int] = []
        self._sizes: list[int] | None = None
        self._weights: dict[tuple[int, ...], tuple[int, list[int], list[int], list[int]]] = {}
        self._profiles: tuple[np.ndarray, list[tuple[tuple[str, ...], ...]]] | None = None

    # -- lanes and filters ----------------------------------------------------------------

    def lane(self, kind: int, memory: int, disk: int, stack: str, tags: tuple[str, ...], items: int) -> Lane:
        """The lane, with ``items`` more of its items: it gets queues once it has had enough."""
        filter_id = self.filter_id(stack, tags)
        key = (kind, memory, disk, filter_id)
        found = self.lanes.get(key)
        if found is None:
            filt = self.filter_list[filter_id]
            found = Lane(kind, memory, disk, filt, filt.zones, False, [None] * self.zones, {})
            self.lanes[key] = found
        found.seen += items
        churn = found.churn = (found.churn + (self.changes - found.changes_at) / items) / 2
        found.changes_at = self.changes
        if found.direct != (churn > (tuning.QUEUE_BELOW if found.direct else tuning.DIRECT_ABOVE)):
            found.direct = not found.direct
            found.queues = [None] * self.zones  # rebuilt when the lane goes back to queues
        found.queued = found.seen >= tuning.QUEUE_MIN_ITEMS and not found.direct
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
            and all(a is b for a, b in zip(self.fixed, fixed_columns(cells), strict=True))
            and len(cells.names) == self.n
            and cells.live.tobytes() == self.live_bytes
        )

    def begin(self, rng: np.random.Generator) -> None:
        """A new round: take in the cells changed since the last one (``cells.changed``, and
        any other difference between the arrays and the working state), so that the queues
        re-bucket them; forget what held for the last round only."""
        if rng is not self.rng:
            # Draws left from the last round stay usable with the same generator: a fresh block
            # of them would cost more than a small round's whole auction.
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
            if len(log) > tuning.LOG_KEEP:
                self.trim(z, log)

    def trim(self, z: int, log: list[int]) -> None:
        """Drop the zone's log entries every queue has caught up with; a queue too far behind
        to catch up cell by cell is dropped and built again when next used."""
        queues: list[Queue] = []
        for lane in self.lanes.values():
            queue = lane.queues[z]
            if queue is not None:
                if len(log) - queue.synced > tuning.REBUCKET_LIMIT:
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
            verdicts = [verdict(p, stack, tags) for p in profiles]
            passing = (
                self.live if verdicts == [OK] else (np.array(verdicts, dtype=np.int64)[ids] == OK) & self.live
            )
            cells = np.flatnonzero(passing)
            zone_of = self.cells.zone[cells]
            zones = np.flatnonzero(np.bincount(zone_of, minlength=self.zones)).tolist()
            # The furthest error over the cells that answered: placement tags beat rootfs (§1.4).
            tags_failed = TAGS in verdicts and bool(
                (np.array(verdicts, dtype=np.int64)[ids][self.live] == TAGS).any()
            )
            error = placement_tag_error(tags) if tags_failed else ERROR_ROOTFS
            found = len(self.filter_list)
            member = np.zeros(self.n, dtype=np.uint8)
            member[cells] = 1
            everyone = len(cells) == self.n
            self.filter_list.append(
                Filter(cells, zones, error, zone_of, bytearray(member.tobytes()), everyone)
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

    def key_function(self, lane: Lane, holders: dict[int, int] | None) -> Callable[[int], float]:
        """A cell's score for the lane, or inf if it does not fit: auction.lrp_score_terms or
        task_score_terms summed in the same order; the LRP locality only in an app's own queue."""
        memory, disk = lane.memory, lane.disk
        available_memory, available_disk, containers = self.memory, self.disk, self.containers
        starting, tasks, weight, binpack = self.starting, self.tasks, self.weight, self.binpack
        total_memory, total_disk, total_containers, proxy, index = self.static_lists()

        if lane.kind == TASK:

            def task_key(c: int) -> float:
                m, d, n = available_memory[c], available_disk[c], containers[c]
                if m < memory or d < disk or n < 1:
                    return INF
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
                return INF
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

    def lrp_score(self, c: int, lane: Lane, instances: int) -> float:
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
        self, lane: Lane, holders: dict[int, int] | None, cells: np.ndarray, taken: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """The fitting cells among ``cells`` and their scores, by the same float operations; with
        ``taken`` = 1, as they would be once each cell had reserved one more of the lane's items."""
        c = self.cells
        memory = lane.memory + c.proxy_memory[cells] if lane.kind == LRP else lane.memory
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
            if lane.kind == LRP:
                memory = memory[fits]  # type: ignore[index]
        keys = (
            (1.0 - (available_memory - memory) / c.total_memory[cells])
            + (1.0 - (available_disk - lane.disk) / c.total_disk[cells])
            + (1.0 - (containers - 1) / c.total_containers[cells])
        ) / 3.0 + starting * self.weight
        if lane.kind == TASK:
            return cells, keys + LOCALITY_OFFSET * (self.tasks_np[cells] + taken)
        if holders:
            instances = np.zeros(self.n, dtype=np.int64)
            instances[list(holders)] = list(holders.values())
            keys = keys + LOCALITY_OFFSET * instances[cells]
        if self.binpack:
            keys = keys + c.index[cells] * self.binpack
        return cells, keys

    # -- queues ---------------------------------------------------------------------------

    def fresh(self, queues: list[Queue | None], lane: Lane, holders: dict[int, int] | None, z: int) -> Queue:
        """The zone's queue, built or caught up with the cells reserved since."""
        queue = queues[z]
        if queue is None:
            queue = queues[z] = Queue(z, self.logs[z], lane, holders, self.key_function(lane, holders))
            self.build(queue)
            return queue
        behind = len(queue.log) - queue.synced
        if behind > tuning.REBUCKET_LIMIT:
            self.build(queue)
        elif behind:
            queue.rebucket()
        return queue

    def build(self, queue: Queue) -> None:
        cells, keys = self.vector_keys(queue.lane, queue.holders, queue.members)
        order = np.argsort(keys, kind="stable")
        keys, cells = keys[order], cells[order]
        count = len(keys)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if count else order
        key_list, cell_list, bounds = keys.tolist(), cells.tolist(), [*starts.tolist(), count]
        queue.buckets = {key_list[a]: cell_list[a:b] for a, b in pairwise(bounds)}
        queue.levels = [key_list[a] for a in bounds[:-1]]  # ascending: already a heap
        key = np.full(self.n, INF)
        key[cells] = keys
        pos = np.zeros(self.n, dtype=np.int64)
        pos[cells] = np.arange(count) - np.repeat(starts, np.diff(bounds))
        queue.key, queue.pos = array("d", key.tobytes()), array("q", pos.tobytes())
        queue.synced = len(queue.log)

    # -- draws ----------------------------------------------------------------------------

    def below(self, bound: int) -> int:
        """A uniform integer in [0, bound), exactly: 64-bit draws, rejecting the uneven tail."""
        raw = self.raw
        while True:
            if not raw:
                raw.extend(self.rng.bit_generator.random_raw(RAW_BLOCK).tolist())
            x = raw.pop()
            r = x % bound
            if x - r <= TWO_64 - bound:
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
        lane: Lane,
        run: list[int],
        apps: list[int],
        placed: list[int],
        tops: list[Queue],
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
        if lane.kind == TASK:
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

    def no_fit_error(self, lane: Lane) -> str:
        """removeNonApplicableProblems: every passing cell was tried; keep the problems all shared."""
        if lane.no_fit[0] == self.reserves:
            return lane.no_fit[1]
        cells = lane.filt.cells
        memory = lane.memory + self.cells.proxy_memory[cells] if lane.kind == LRP else lane.memory
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


def round_state(cells: FleetCells, settings: DiegoSettings) -> RoundState:
    """The auction's state for ``cells``, kept on them from round to round; made afresh for new
    cells, other settings, or when a column that should not change was replaced or the live
    cells changed."""
    state = cells._auction
    if state is None or not state.fits(cells, settings):
        state = cells._auction = RoundState(cells, settings)
    return state


def fixed_columns(cells: FleetCells) -> tuple[object, ...]:
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
