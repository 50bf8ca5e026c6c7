"""The fleet scheduler's caches: per pod class, every node's filter verdict and resource score in
scan order, kept current one node at a time (docs/fleet.md §2.2).

Pods are grouped into classes (profile, cpu, memory, storage). Per class, a node's resource
score and its filter verdict are kept in one array in scan order, doubled so that any window of
the wrapping scan is one slice; an unusable node holds ``UNUSABLE``, below any total. An assume
or a release changes one node, so one entry per class is recomputed, with the per-item formulas;
the resource scores are remembered by node state (nodes go through the same few), and a node
that fits every class skips the classes when its scores did not change. Each class also keeps
the sorted scan positions of its unusable nodes and of its top-scored ones.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from simulator.kubernetes.cluster import NodeState, PodWork
from simulator.kubernetes.constants import (
    BYTES_PER_MB,
    DEFAULT_MEMORY_REQUEST_BYTES,
    DEFAULT_MILLI_CPU_REQUEST,
    IMAGE_LOCALITY,
    IMAGE_LOCALITY_PRIORITY,
    POD_TOPOLOGY_SPREAD,
    SELECTOR_SPREAD_PRIORITY,
    TAINT_TOLERATION,
    TAINT_TOLERATION_PRIORITY,
)
from simulator.kubernetes.filters import node_selector_reasons, taint_reasons, unschedulable_reasons
from simulator.kubernetes.fleet_arrays import NOT_READY_TAINTS, FleetNodes, PodProfile
from simulator.kubernetes.fleet_scan import scan_permutation
from simulator.kubernetes.fleet_scores import framework_resource_score, legacy_resource_score
from simulator.kubernetes.profiles import KubeSchedulerSettings
from simulator.kubernetes.sampling import nodes_to_score
from simulator.kubernetes.scores import intolerable_prefer_no_schedule

# A node a class cannot use: far below any total, even after window terms are added.
UNUSABLE = -(1 << 40)
USABLE_ABOVE = UNUSABLE // 2
# A class's requirement on a resource it does not check (the framework skips unrequested ones).
UNCHECKED = -(1 << 62)
# The shared arrays the scheduler mirrors in lists (it assumes pods into them) and the ones it
# reads where it needs them; it watches both for the caller's writes.
_REQUEST_ARRAYS = (
    "requested_memory",
    "requested_cpu",
    "requested_storage",
    "pods",
    "pods_without_cpu_request",
    "pods_without_memory_request",
)
_STATIC_ARRAYS = ("ready", "unschedulable")
# Node states whose resource scores the scheduler remembers before it starts a new memo (it
# keeps the previous one too): nodes pass through states in time, so recent ones are enough.
# The 250k push meets ~86,000 states; 2^15 recomputes ~10% more than an unbounded memo would
# (2^13: ~40% more) and stays small.
SCORE_MEMO_LIMIT = 1 << 15


@dataclass(slots=True)
class ProfileNodes:
    """A profile's verdicts per node (node order) that do not depend on resources."""

    profile: PodProfile
    passes: list[bool]
    cordoned: list[bool]
    taint_reason: list[str | None]
    selector_ok: list[bool]
    prefer: list[int]
    prefer_scan: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Whether ``prefer_scan`` is not empty (some node has a PreferNoSchedule taint to count).
    prefers: bool = False


@dataclass(slots=True)
class PodClass:
    """Pods alike for filtering and resource scoring.

    ``base`` is per scan position, doubled; ``scores`` is the same once, as a list. ``top`` is
    the highest score of a usable node and ``tops`` the sorted scan positions that have it.
    ``index`` is the class's place in the scheduler's score memo; ``passes`` is ``profile.passes``.
    """

    profile: ProfileNodes
    cpu: int
    memory: int
    storage: int
    need_cpu: int
    need_memory: int
    need_storage: int
    score_cpu: int
    score_memory: int
    balanced: bool
    base: np.ndarray
    scores: list[int]
    unusable: list[int]
    index: int
    passes: list[bool]
    top: int = UNUSABLE
    tops: list[int] = field(default_factory=list)


class Snapshot:
    """A shared array as the scheduler last saw it, compared with the array in one memcmp."""

    __slots__ = ("array", "buffer")

    def __init__(self, current: np.ndarray) -> None:
        self.buffer = bytearray(current.tobytes())
        self.array = np.frombuffer(self.buffer, dtype=current.dtype)

    def matches(self, current: np.ndarray) -> bool:
        return current.tobytes() == self.buffer

    def take(self, current: np.ndarray) -> list[int]:
        """Catch up with ``current``; the indices that differed."""
        moved = np.flatnonzero(current != self.array)
        self.array[moved] = current[moved]
        return moved.tolist()


class SchedulerConfig(Protocol):
    """What :class:`simulator.scenario.EiriniSettings` says about kube-scheduler."""

    @property
    def scheduler(self) -> str: ...

    @property
    def percentage_of_nodes_to_score(self) -> int: ...


def scheduler_settings(settings: KubeSchedulerSettings | SchedulerConfig) -> KubeSchedulerSettings:
    """The scheduler's settings from a scenario's Eirini settings, as the per-item KubeScheduler makes them."""
    if isinstance(settings, KubeSchedulerSettings):
        return settings
    return KubeSchedulerSettings(
        mode=settings.scheduler, percentage_of_nodes_to_score=settings.percentage_of_nodes_to_score
    )


class FleetCache:
    """Per-class totals over a :class:`FleetNodes`, kept current one node at a time.

    What :class:`simulator.kubernetes.scheduler_fleet.FleetScheduler` reads in a cycle: per
    class, every node's filter verdict and resource score in scan order (``base``), the sorted
    unusable positions and the top-scored ones. It mirrors the shared request arrays in lists
    (a cycle assumes pods into them) and compares the shared arrays with snapshots at each
    :meth:`_sync` to see the caller's writes.
    """

    def __init__(self, nodes: FleetNodes, settings: KubeSchedulerSettings | SchedulerConfig) -> None:
        self.nodes = nodes
        self.settings = settings = scheduler_settings(settings)
        self._legacy = settings.legacy
        self._max_score = settings.max_node_score
        weights = settings.weights
        if self._legacy:
            self._spread_weight = weights[SELECTOR_SPREAD_PRIORITY]
            self._taint_weight = weights[TAINT_TOLERATION_PRIORITY]
            self._image_weight = weights[IMAGE_LOCALITY_PRIORITY]
        else:
            self._spread_weight = weights[POD_TOPOLOGY_SPREAD]
            self._taint_weight = weights[TAINT_TOLERATION]
            self._image_weight = weights[IMAGE_LOCALITY]
        # FailedScheduling texts by class; any change to a node makes them stale.
        self._messages: dict[tuple[object, ...], str] = {}
        self.refresh()

    # -- state ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild every cache from ``nodes`` (after labels, taints or allocatable changed)."""
        nodes = self.nodes
        n = self._n = len(nodes)
        self._to_find = nodes_to_score(n, self.settings.percentage)
        self._order = scan_permutation(nodes.zone)
        self._order2 = np.concatenate([self._order, self._order]).tolist()
        self._pos_of = [0] * n
        for position, node in enumerate(self._order.tolist()):
            self._pos_of[node] = position
        self._zone_of = nodes.zone.tolist()
        self._named = [name != "" for name in nodes.zone_names]
        named_nodes = [self._named[z] for z in self._zone_of]
        self._any_named = any(named_nodes)
        self._mixed_zoning = self._any_named and not all(named_nodes)
        self._zone_scan2 = np.concatenate([nodes.zone[self._order]] * 2)
        self._alloc_cpu = nodes.allocatable_cpu.tolist()
        self._alloc_memory = nodes.allocatable_memory.tolist()
        self._alloc_storage = nodes.allocatable_storage.tolist()
        self._alloc_pods = nodes.allocatable_pods.tolist()
        self._req_memory = nodes.requested_memory.tolist()
        self._req_cpu = nodes.requested_cpu.tolist()
        self._req_storage = nodes.requested_storage.tolist()
        self._pods = nodes.pods.tolist()
        self._without_cpu = nodes.pods_without_cpu_request.tolist()
        self._without_memory = nodes.pods_without_memory_request.tolist()
        self._mirrors = dict(
            zip(
                _REQUEST_ARRAYS,
                (
                    self._req_memory,
                    self._req_cpu,
                    self._req_storage,
                    self._pods,
                    self._without_cpu,
                    self._without_memory,
                ),
                strict=True,
            )
        )
        self._seen = {name: Snapshot(getattr(nodes, name)) for name in (*_REQUEST_ARRAYS, *_STATIC_ARRAYS)}
        self._columns = {name: (self._seen[name].array, mirror) for name, mirror in self._mirrors.items()}
        self._dirty: set[int] = set()
        self._profiles: dict[object, ProfileNodes] = {}
        self._zones_of_window: dict[tuple[int, int], list[int]] = {}
        self._classes: dict[tuple[object, ...], PodClass] = {}
        self._class_list: list[PodClass] = []
        # Classes by (index in the batch's profiles, cpu, memory, storage), for those profiles.
        self._batch_profile_keys: list[object] = []
        self._batch_classes: dict[tuple[int, int, int, int], PodClass] = {}
        shapes: dict[tuple[int, ...], int] = {}
        self._shape_of = [
            shapes.setdefault(shape, len(shapes))
            for shape in zip(self._alloc_cpu, self._alloc_memory, strict=True)
        ]
        # Resource scores per class (a tuple by class index) for a node state: the nodes of a
        # big fleet go through the same few states, and a change of node mostly keeps its score.
        self._score_memo: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._older_scores: dict[tuple[int, ...], tuple[int, ...]] = {}
        # Per node: every profile's filters pass it; and the scores its classes hold when the node
        # fits every class (None otherwise, or not known).
        self._all_pass = [True] * n
        self._applied: list[tuple[int, ...] | None] = [None] * n
        self._bound_requests()
        self._messages.clear()

    def _sync(self) -> None:
        """Take in what changed since the last call: released pods, and the caller's own writes."""
        nodes, dirty = self.nodes, self._dirty
        static: set[int] = set()
        for name, seen in self._seen.items():
            current = getattr(nodes, name)
            if seen.matches(current):
                continue
            moved = seen.take(current)
            dirty.update(moved)
            mirror = self._mirrors.get(name)
            if mirror is None:
                static.update(moved)
                continue
            for node, value in zip(moved, current[moved].tolist(), strict=True):
                mirror[node] = value
        if not dirty:
            return
        self._messages.clear()
        if static:
            for profile in self._profiles.values():
                for node in static:
                    self._profile_node(profile, node)
                self._prefer_scan(profile)
            for node in static:
                self._all_pass[node] = all(profile.passes[node] for profile in self._profiles.values())
        for node in dirty:
            self._update_node(node)
        dirty.clear()

    def _write_back(self, placed: list[int]) -> None:
        """Copy the assumed pods' requests into the shared arrays."""
        if not placed:
            return
        touched = list(set(placed))
        at = np.array(touched, dtype=np.int64)
        nodes, seen = self.nodes, self._seen
        for name, mirror in self._mirrors.items():
            values = np.array([mirror[node] for node in touched], dtype=np.int64)
            getattr(nodes, name)[at] = values
            seen[name].array[at] = values

    def release(self, node: int, app: int, cpu_millis: int, memory_mb: int, storage_mb: int) -> None:
        """A pod left ``node`` (deleted, or its binding failed): free its requests and spreading count.

        The shared arrays change at once; the scheduler recomputes the node at the next cycle.
        """
        lower = self._lower
        lower("pods", node, 1)
        if cpu_millis:
            lower("requested_cpu", node, cpu_millis)
        else:
            lower("pods_without_cpu_request", node, 1)
        if memory_mb:
            lower("requested_memory", node, memory_mb)
        else:
            lower("pods_without_memory_request", node, 1)
        if storage_mb:
            lower("requested_storage", node, storage_mb)
        self._dirty.add(node)
        counts = self.nodes.app_pods.get(app)
        if counts and counts.get(node, 0) > 0:
            counts[node] -= 1
            if counts[node] == 0:
                del counts[node]

    def _lower(self, name: str, node: int, amount: int) -> None:
        """Take ``amount`` off a node's entry of a shared array, and off the scheduler's copies."""
        shared = getattr(self.nodes, name)
        # Python ints: a numpy scalar's in-place subtraction costs more than the whole of this.
        shared[node] = shared.item(node) - amount
        seen, mirror = self._columns[name]
        # Between cycles the scheduler's copy and the snapshot agree.
        value = mirror[node] - amount
        mirror[node] = value
        seen[node] = value

    def _profile_nodes(self, profile: PodProfile) -> ProfileNodes:
        known = self._profiles.get(profile.key)
        if known is None:
            n = self._n
            known = ProfileNodes(profile, [True] * n, [False] * n, [None] * n, [True] * n, [0] * n)
            for node in range(n):
                self._profile_node(known, node)
                self._all_pass[node] = self._all_pass[node] and known.passes[node]
            self._prefer_scan(known)
            self._profiles[profile.key] = known
        return known

    def _profile_node(self, profile: ProfileNodes, node: int) -> None:
        """The per-item filters that do not look at resources, run on a stand-in NodeState."""
        nodes = self.nodes
        taints = nodes.taints[node] if nodes.ready[node] else (*nodes.taints[node], *NOT_READY_TAINTS)
        state = NodeState(
            nodes.names[node],
            nodes.zone_names[self._zone_of[node]],
            0,
            0,
            0,
            labels=nodes.labels[node],
            taints=taints,
            unschedulable=bool(nodes.unschedulable[node]),
        )
        pod = PodWork(
            "", "", 0, node_selector=profile.profile.node_selector, tolerations=profile.profile.tolerations
        )
        cordoned = bool(unschedulable_reasons(state, pod))
        taint = taint_reasons(state, pod, legacy=False)
        selector_ok = not node_selector_reasons(state, pod, legacy=False)
        profile.cordoned[node] = cordoned
        profile.taint_reason[node] = taint[0] if taint else None
        profile.selector_ok[node] = selector_ok
        profile.passes[node] = not cordoned and not taint and selector_ok
        profile.prefer[node] = intolerable_prefer_no_schedule(state, pod)

    def _prefer_scan(self, profile: ProfileNodes) -> None:
        """The PreferNoSchedule counts in doubled scan order, or empty when no node has any."""
        prefer = np.array(profile.prefer, dtype=np.int64)[self._order]
        profile.prefer_scan = np.concatenate([prefer, prefer]) if prefer.any() else prefer[:0]
        profile.prefers = bool(profile.prefer_scan.size)

    def _pod_class(self, profile: PodProfile, cpu: int, memory: int, storage: int) -> PodClass:
        key = (profile.key, cpu, memory, storage)
        known = self._classes.get(key)
        if known is not None:
            return known
        n = self._n
        requests = cpu > 0 or memory > 0 or storage > 0

        def need(wanted: int) -> int:
            return wanted if requests and (self._legacy or wanted > 0) else UNCHECKED

        profile_nodes = self._profile_nodes(profile)
        cls = PodClass(
            profile=profile_nodes,
            cpu=cpu,
            memory=memory,
            storage=storage,
            need_cpu=need(cpu),
            need_memory=need(memory),
            need_storage=need(storage),
            score_cpu=cpu or DEFAULT_MILLI_CPU_REQUEST,
            score_memory=memory * BYTES_PER_MB if memory else DEFAULT_MEMORY_REQUEST_BYTES,
            # The framework skips BalancedAllocation for a pod requesting no cpu and no memory.
            balanced=self._legacy or cpu > 0 or memory > 0,
            base=np.full(2 * n, UNUSABLE, dtype=np.int64),
            scores=[UNUSABLE] * n,
            unusable=list(range(n)),
            index=len(self._class_list),
            passes=profile_nodes.passes,
        )
        self._classes[key] = cls
        self._class_list.append(cls)
        self._bound_requests()
        for node in range(n):
            self._update_node(node, (cls,))
        self._applied = [None] * n
        return cls

    def _update_node(self, node: int, classes: Sequence[PodClass] | None = None) -> None:
        """Recompute one node's filter verdict and resource scores for every class (or ``classes``)."""
        shape, position, max_pods, cpu_bound, memory_bound, storage_bound = self._node_bounds[node]
        requested_cpu = self._req_cpu[node]
        requested_memory = self._req_memory[node]
        nonzero_cpu = requested_cpu + self._without_cpu[node] * DEFAULT_MILLI_CPU_REQUEST
        nonzero_memory = (
            requested_memory * BYTES_PER_MB + self._without_memory[node] * DEFAULT_MEMORY_REQUEST_BYTES
        )
        if self._legacy:
            key: tuple[int, ...] = (shape, nonzero_cpu, nonzero_memory)
        else:
            key = (shape, nonzero_cpu, nonzero_memory, requested_cpu, requested_memory)
        class_list = self._class_list
        by_class = self._score_memo.get(key)
        if by_class is None or len(by_class) < len(class_list):
            by_class = self._resource_scores(node, key, by_class)
        if classes is None:
            applied = self._applied
            if (
                self._pods[node] < max_pods
                and self._all_pass[node]
                and requested_cpu <= cpu_bound
                and requested_memory <= memory_bound
                and self._req_storage[node] <= storage_bound
            ):
                # Every class may use the node and scores it by_class: most changes keep those.
                if by_class == applied[node]:
                    return
                applied[node] = by_class
                set_score = self._set_score
                for cls, value in zip(class_list, by_class, strict=True):
                    if cls.scores[position] != value:
                        set_score(cls, position, value)
                return
            applied[node] = None
        room = self._pods[node] < max_pods
        free_cpu = self._alloc_cpu[node] - requested_cpu
        free_memory = self._alloc_memory[node] - requested_memory
        free_storage = self._alloc_storage[node] - self._req_storage[node]
        for cls in class_list if classes is None else classes:
            if (
                room
                and cls.passes[node]
                and cls.need_cpu <= free_cpu
                and cls.need_memory <= free_memory
                and cls.need_storage <= free_storage
            ):
                value = by_class[cls.index]
            else:
                value = UNUSABLE
            if cls.scores[position] != value:
                self._set_score(cls, position, value)

    def _set_score(self, cls: PodClass, position: int, value: int) -> None:
        """A class's total at a scan position (``UNUSABLE``: the class cannot use the node)."""
        scores = cls.scores
        was = scores[position]
        scores[position] = value
        base = cls.base
        base[position] = value
        base[position + self._n] = value
        if was == UNUSABLE:
            del cls.unusable[bisect_left(cls.unusable, position)]
        elif value == UNUSABLE:
            insort(cls.unusable, position)
        # The top only holds usable nodes: while none is usable, every score is UNUSABLE = top.
        top = cls.top
        if value > top:
            cls.top, cls.tops = value, [position]
        elif value == top:
            insort(cls.tops, position)
        elif was == top:
            tops = cls.tops
            del tops[bisect_left(tops, position)]
            if not tops:
                totals = base[: self._n]
                cls.top = int(totals.max())
                cls.tops = (totals == cls.top).nonzero()[0].tolist() if cls.top > USABLE_ABOVE else []

    def _bound_requests(self) -> None:
        """Per node, in one tuple: its shape (allocatable cpu and memory), scan position and
        allocatable pods, and the most it may have requested of each resource for every class to fit."""
        classes = self._class_list
        need_cpu = max((cls.need_cpu for cls in classes), default=UNCHECKED)
        need_memory = max((cls.need_memory for cls in classes), default=UNCHECKED)
        need_storage = max((cls.need_storage for cls in classes), default=UNCHECKED)
        self._node_bounds = [
            (
                self._shape_of[node],
                self._pos_of[node],
                self._alloc_pods[node],
                self._alloc_cpu[node] - need_cpu,
                self._alloc_memory[node] - need_memory,
                self._alloc_storage[node] - need_storage,
            )
            for node in range(self._n)
        ]

    def _resource_scores(
        self, node: int, key: tuple[int, ...], known: tuple[int, ...] | None
    ) -> tuple[int, ...]:
        """Every class's resource score on ``node`` (``known`` holds the first few), remembered by ``key``.

        Tuples: the collector stops tracking a tuple of ints, so a big memo costs it nothing.
        """
        if known is None:
            known = self._older_scores.get(key)
            if known is not None:
                self._remember(key, known)
                if len(known) == len(self._class_list):
                    return known
        alloc_cpu = self._alloc_cpu[node]
        alloc_memory_bytes = self._alloc_memory[node] * BYTES_PER_MB
        requested_cpu = self._req_cpu[node]
        requested_memory = self._req_memory[node]
        nonzero_cpu = requested_cpu + self._without_cpu[node] * DEFAULT_MILLI_CPU_REQUEST
        nonzero_memory = (
            requested_memory * BYTES_PER_MB + self._without_memory[node] * DEFAULT_MEMORY_REQUEST_BYTES
        )
        scores = [] if known is None else list(known)
        for cls in self._class_list[len(scores) :]:
            if self._legacy:
                value = legacy_resource_score(
                    nonzero_cpu + cls.score_cpu,
                    nonzero_memory + cls.score_memory,
                    alloc_cpu,
                    alloc_memory_bytes,
                )
            else:
                value = framework_resource_score(
                    nonzero_cpu + cls.score_cpu,
                    nonzero_memory + cls.score_memory,
                    alloc_cpu,
                    alloc_memory_bytes,
                    requested_cpu + cls.cpu,
                    (requested_memory + cls.memory) * BYTES_PER_MB,
                    cls.balanced,
                )
            scores.append(value)
        result = tuple(scores)
        if known is None:
            self._remember(key, result)
        else:
            # The key is in the current memo (it was, or ``_remember`` moved it there).
            self._score_memo[key] = result
        return result

    def _remember(self, key: tuple[int, ...], scores: tuple[int, ...]) -> None:
        if len(self._score_memo) >= SCORE_MEMO_LIMIT:
            self._older_scores, self._score_memo = self._score_memo, {}
        self._score_memo[key] = scores
