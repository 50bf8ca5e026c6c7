"""kube-scheduler's scheduling cycle over numpy arrays, for fleet mode (docs/fleet.md §2.2).

:class:`FleetScheduler` places pods one scheduling cycle at a time, exactly as
:func:`simulator.kubernetes.scheduler.schedule_pod` does (§2.1–§2.4): the same filters and
reasons, numFeasibleNodesToFind, the scan from the rotating ``nextStartNodeIndex`` in node-tree
order that stops at enough feasible nodes, the same score plugins, normalisations and weights in
both modes, and each cycle sees the pods assumed before it. It is built for 1,000 nodes and
250,000 pods, so it does not recompute what a cycle cannot change:

* Pods are grouped into classes (profile, cpu, memory, storage). Per class, a node's resource
  scores and its filter verdict are kept in one array in scan order, doubled so that any window
  of the wrapping scan is one slice; an unusable node holds ``UNUSABLE``, below any total. An
  assume or a release changes one node, so one entry per class is recomputed, with the per-item
  formulas; the resource scores are remembered by node state (nodes go through the same few),
  and a node that fits every class skips the classes when its scores did not change.
* The plugins that are the same on every sampled node (spreading of an app with no pods in the
  sample, ImageLocality of an image no node holds widely enough, TaintToleration and
  NodeAffinity with nothing to prefer) are left out of the totals: a constant cannot change the
  winner or the tie. Otherwise they are computed over the window, from the per-app and
  per-image node maps.
* Each class keeps the sorted scan positions of its top-scored nodes. A window without other
  plugins that holds some of them has them as its tied winners, found by bisection; only other
  windows are reduced with numpy.
* The examined count comes from a sorted list of the class's unusable scan positions.

The one permitted difference is the tie-break: ``select_host`` replaces its choice with chance
1/k at the k-th tied node, which makes every top-scored node equally likely; here the winner is
the ``floor(u·k)``-th of the k tied nodes in scan order, ``u`` a uniform double from the
generator (bias ≤ k/2⁵³). Doubles are drawn in blocks of :data:`UNIFORM_BLOCK` and one is used
per tie only, so a clear winner uses none.

Modelled as Eirini sets its pods (§1.3): one container and at most one image per pod, a
StatefulSet owner (``app``; -1 for an ownerless pod such as a staging pod), a node selector and
tolerations (:class:`PodProfile`), no affinity terms and no explicit spread constraints.
A NotReady node (``ready`` false) carries the taints the node lifecycle controller gives it
(:data:`NOT_READY_TAINTS`, §3.7) after its own; a cordoned one is ``unschedulable``.

:class:`FleetNodes` is shared with the caller. The scheduler notices changes to its mutable
arrays (requests, pod counts, ``ready``, ``unschedulable``) at the start of every
:meth:`FleetScheduler.schedule`, and reads ``app_pods`` and ``images`` live (write new images
straight into ``images``); after changing labels, taints or allocatable resources call
:meth:`FleetScheduler.refresh`. Nodes cannot be added. A call compares each mutable array with
the copy taken at the last call in one ``memcmp``; only nodes that changed, through
:meth:`FleetScheduler.release` or the caller's writes, are recomputed, so small batches are
cheap too.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from simulator.kubernetes.cluster import (
    DEFAULT_TOLERATIONS,
    NodeState,
    PodWork,
    Taint,
    Toleration,
    matching_pod_count,
    normalized_image_name,
)
from simulator.kubernetes.constants import (
    BYTES_PER_MB,
    DEFAULT_MAX_PODS,
    DEFAULT_MEMORY_REQUEST_BYTES,
    DEFAULT_MILLI_CPU_REQUEST,
    ERROR_NO_NODES_AVAILABLE,
    IMAGE_LOCALITY,
    IMAGE_LOCALITY_PRIORITY,
    IMAGE_MAX_CONTAINER_THRESHOLD_BYTES,
    IMAGE_MIN_THRESHOLD_BYTES,
    LEAST_ALLOCATED_CPU_WEIGHT,
    LEAST_ALLOCATED_MEMORY_WEIGHT,
    MAX_NODE_SCORE,
    MAX_PRIORITY_LEGACY,
    NO_EXECUTE,
    NO_SCHEDULE,
    POD_TOPOLOGY_SPREAD,
    REASON_INSUFFICIENT,
    REASON_LEGACY_NODE_SELECTOR,
    REASON_LEGACY_TAINTS,
    REASON_NODE_AFFINITY,
    REASON_TOO_MANY_PODS,
    REASON_UNSCHEDULABLE,
    RESOURCE_CPU,
    RESOURCE_EPHEMERAL_STORAGE,
    RESOURCE_MEMORY,
    RESOURCE_PODS,
    SELECTOR_SPREAD_PRIORITY,
    SELECTOR_SPREAD_ZONE_WEIGHTING,
    SYSTEM_DEFAULT_HOSTNAME_MAX_SKEW,
    SYSTEM_DEFAULT_ZONE_MAX_SKEW,
    TAINT_TOLERATION,
    TAINT_TOLERATION_PRIORITY,
    TAINT_UNREACHABLE,
)
from simulator.kubernetes.filters import (
    fit_error,
    node_selector_reasons,
    taint_reasons,
    unschedulable_reasons,
)
from simulator.kubernetes.profiles import KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState, nodes_to_score
from simulator.kubernetes.scores import intolerable_prefer_no_schedule
from simulator.kubernetes.spreading import topology_normalizing_weight

# §3.7: what the node lifecycle controller taints an unreachable node with (the same tuple as
# simulator.eirini.node_lifecycle.UNREACHABLE_TAINTS; defined here so kubernetes/ needs no eirini/).
NOT_READY_TAINTS = (Taint(TAINT_UNREACHABLE, "", NO_SCHEDULE), Taint(TAINT_UNREACHABLE, "", NO_EXECUTE))
# A node a class cannot use: far below any total, even after window terms are added.
UNUSABLE = -(1 << 40)
_USABLE_ABOVE = UNUSABLE // 2
# Tie-break doubles drawn from the generator at a time.
UNIFORM_BLOCK = 4096
# A class's requirement on a resource it does not check (the framework skips unrequested ones).
_UNCHECKED = -(1 << 62)
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


@dataclass(frozen=True, slots=True)
class PodProfile:
    """What a pod asks of a node beyond resources: Eirini's segment selector and tolerations."""

    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = DEFAULT_TOLERATIONS

    @property
    def key(self) -> tuple[tuple[tuple[str, str], ...], tuple[Toleration, ...]]:
        return tuple(sorted(self.node_selector.items())), self.tolerations


@dataclass(slots=True)
class FleetNodes:
    """The scheduler cache for a fleet, one entry per node in the order the nodes were added.

    Units as in :mod:`simulator.kubernetes.cluster`: millicores and decimal MB. ``zone`` indexes
    ``zone_names`` ("" is a node without a zone label). ``requested_*`` sum the real requests and
    ``pods_without_*_request`` count pods that set none (scored as 100m / 200 MiB). ``ready``
    false is a NotReady node (it gets :data:`NOT_READY_TAINTS`); ``unschedulable`` is a cordon.
    ``labels`` and ``taints`` are the node's own. ``app_pods`` maps an app (its StatefulSet
    selector) to ``{node: pods}``, terminating pods left out; ``images`` maps an image id (a
    normalised name) to ``{node: size_mb}`` as the node status reports it.
    """

    names: list[str]
    zone: np.ndarray
    zone_names: list[str]
    allocatable_memory: np.ndarray
    allocatable_cpu: np.ndarray
    allocatable_storage: np.ndarray
    allocatable_pods: np.ndarray
    requested_memory: np.ndarray
    requested_cpu: np.ndarray
    requested_storage: np.ndarray
    pods: np.ndarray
    pods_without_cpu_request: np.ndarray
    pods_without_memory_request: np.ndarray
    ready: np.ndarray
    unschedulable: np.ndarray
    labels: list[dict[str, str]]
    taints: list[tuple[Taint, ...]]
    app_pods: dict[int, dict[int, int]] = field(default_factory=dict)
    images: dict[int, dict[int, int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.names)


@dataclass(slots=True)
class PodBatch:
    """Pods in the order the scheduling queue pops them.

    ``app`` is the owning StatefulSet (pods of one app share its selector), -1 for an ownerless
    pod; ``staging`` (optional) marks ownerless pods too (Eirini's staging Job pods), whatever
    their ``app``. ``image`` is an image id of ``FleetNodes.images`` (-1: none); ``profile``
    indexes ``profiles`` (default: no node selector, the default tolerations).
    """

    app: np.ndarray
    memory_mb: np.ndarray
    cpu_millis: np.ndarray
    storage_mb: np.ndarray
    image: np.ndarray | None = None
    profile: np.ndarray | None = None
    profiles: list[PodProfile] = field(default_factory=lambda: [PodProfile()])
    staging: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.app)


@dataclass(slots=True)
class ScheduledCycles:
    """:class:`FleetScheduleResult` in lists, as :meth:`FleetScheduler.schedule_lists` returns it."""

    node: list[int]
    reason: list[int]
    texts: list[str]
    start: list[int]
    examined: list[int]
    feasible: list[int]
    tied: list[int]

    @property
    def ties(self) -> int:
        """Cycles whose winner was drawn among several top-scored nodes."""
        return sum(1 for tied in self.tied if tied > 1)


@dataclass(slots=True)
class FleetScheduleResult:
    """Per pod: the node (-1: unschedulable) and ``texts[reason]`` (-1: placed), plus the cycle's
    scan start, nodes examined, feasible nodes found (scored when more than one) and how many of
    them shared the top total (0 when unschedulable)."""

    node: np.ndarray
    reason: np.ndarray
    texts: list[str]
    start: np.ndarray
    examined: np.ndarray
    feasible: np.ndarray
    tied: np.ndarray

    @property
    def nodes_scored(self) -> int:
        """Nodes scored over the batch (a cycle with one feasible node scores none)."""
        return int(self.feasible[self.feasible > 1].sum())

    @property
    def ties(self) -> int:
        """Cycles whose winner was drawn among several top-scored nodes."""
        return int(np.count_nonzero(self.tied > 1))

    def message(self, pod: int) -> str | None:
        code = int(self.reason[pod])
        return None if code < 0 else self.texts[code]


# --- building the arrays -----------------------------------------------------------------------


def _ints(values: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def uniform_fleet_nodes(
    count: int,
    *,
    zones: Sequence[str] = ("z1", "z2", "z3"),
    memory_mb: int,
    cpu_millis: int,
    storage_mb: int,
    max_pods: int = DEFAULT_MAX_PODS,
    prefix: str = "node-",
) -> FleetNodes:
    """``count`` empty, ready, identical nodes, node i in ``zones[i % len(zones)]``."""
    zone_names = list(zones) or [""]

    def full(value: int) -> np.ndarray:
        return np.full(count, value, dtype=np.int64)

    return FleetNodes(
        names=[f"{prefix}{i}" for i in range(count)],
        zone=np.arange(count, dtype=np.int64) % len(zone_names),
        zone_names=zone_names,
        allocatable_memory=full(memory_mb),
        allocatable_cpu=full(cpu_millis),
        allocatable_storage=full(storage_mb),
        allocatable_pods=full(max_pods),
        requested_memory=full(0),
        requested_cpu=full(0),
        requested_storage=full(0),
        pods=full(0),
        pods_without_cpu_request=full(0),
        pods_without_memory_request=full(0),
        ready=np.ones(count, dtype=bool),
        unschedulable=np.zeros(count, dtype=bool),
        labels=[{} for _ in range(count)],
        taints=[() for _ in range(count)],
    )


def fleet_nodes(
    states: Sequence[NodeState], selectors: Sequence[Mapping[str, str]] = (), images: Sequence[str] = ()
) -> FleetNodes:
    """The fleet view of per-item nodes: app ``a`` is ``selectors[a]``, image ``i`` is ``images[i]``.

    Condition taints stay in ``taints`` (every node is ``ready``). A node image missing from
    ``images`` is an error.
    """
    zone_names = list(dict.fromkeys(s.zone for s in states))
    image_ids = {normalized_image_name(name): i for i, name in enumerate(images)}
    node_images: dict[int, dict[int, int]] = {}
    app_pods: dict[int, dict[int, int]] = {}
    for node, state in enumerate(states):
        for name, size in state.images.items():
            normalized = normalized_image_name(name)
            if normalized not in image_ids:
                raise ValueError(f"image {name!r} on {state.name} is not in images")
            node_images.setdefault(image_ids[normalized], {})[node] = size
        for app, selector in enumerate(selectors):
            count = matching_pod_count(state, selector)
            if count:
                app_pods.setdefault(app, {})[node] = count
    return FleetNodes(
        names=[s.name for s in states],
        zone=_ints([zone_names.index(s.zone) for s in states]),
        zone_names=zone_names,
        allocatable_memory=_ints([s.allocatable_memory_mb for s in states]),
        allocatable_cpu=_ints([s.allocatable_cpu_milli for s in states]),
        allocatable_storage=_ints([s.allocatable_ephemeral_mb for s in states]),
        allocatable_pods=_ints([s.allocatable_pods for s in states]),
        requested_memory=_ints([s.requested_memory_mb for s in states]),
        requested_cpu=_ints([s.requested_cpu_milli for s in states]),
        requested_storage=_ints([s.requested_ephemeral_mb for s in states]),
        pods=_ints([s.pod_count for s in states]),
        pods_without_cpu_request=_ints([s.pods_without_cpu_request for s in states]),
        pods_without_memory_request=_ints([s.pods_without_memory_request for s in states]),
        ready=np.ones(len(states), dtype=bool),
        unschedulable=np.array([s.unschedulable for s in states], dtype=bool),
        labels=[dict(s.labels) for s in states],
        taints=[tuple(s.taints) for s in states],
        app_pods=app_pods,
        images=node_images,
    )


def pod_batch(
    pods: Sequence[PodWork], selectors: Sequence[Mapping[str, str]] = (), images: Sequence[str] = ()
) -> PodBatch:
    """The fleet view of per-item pods, with the same ``selectors`` and ``images`` as :func:`fleet_nodes`."""
    image_ids = {normalized_image_name(name): i for i, name in enumerate(images)}
    selector_list = [dict(s) for s in selectors]
    profiles: dict[tuple[object, ...], int] = {}
    profile_list: list[PodProfile] = []
    apps, image_of, profile_of = [], [], []
    for pod in pods:
        if pod.preferred_node_terms or pod.spread_constraints or len(pod.images) > 1:
            raise ValueError(
                f"{pod.name}: affinity terms, spread constraints and images > 1 are not modelled"
            )
        owner = dict(pod.owner_selector)
        if owner and owner not in selector_list:
            raise ValueError(f"{pod.name}: its owner selector is not in selectors")
        apps.append(selector_list.index(owner) if owner else -1)
        if pod.images:
            name = normalized_image_name(pod.images[0].name)
            if name not in image_ids:
                raise ValueError(f"{pod.name}: image {name!r} is not in images")
            image_of.append(image_ids[name])
        else:
            image_of.append(-1)
        profile = PodProfile(dict(pod.node_selector), pod.tolerations)
        if profile.key not in profiles:
            profiles[profile.key] = len(profile_list)
            profile_list.append(profile)
        profile_of.append(profiles[profile.key])
    return PodBatch(
        app=_ints(apps),
        memory_mb=_ints([p.memory_mb for p in pods]),
        cpu_millis=_ints([p.cpu_milli for p in pods]),
        storage_mb=_ints([p.ephemeral_mb for p in pods]),
        image=_ints(image_of),
        profile=_ints(profile_of),
        profiles=profile_list or [PodProfile()],
    )


# --- per-node scores, with the per-item formulas -----------------------------------------------


def _least_requested(requested: int, capacity: int, max_score: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * max_score // capacity


def legacy_resource_score(cpu: int, memory: int, allocatable_cpu: int, allocatable_memory: int) -> int:
    """LeastRequestedPriority + BalancedResourceAllocation (2019, 0–10 each), both on non-zero requests.

    ``cpu``/``memory``: the node's non-zero requests with the pod (millicores, bytes); allocatable likewise.
    """
    cpu_score = (
        0
        if allocatable_cpu == 0 or cpu > allocatable_cpu
        else (allocatable_cpu - cpu) * 10 // allocatable_cpu
    )
    memory_score = (
        0
        if allocatable_memory == 0 or memory > allocatable_memory
        else (allocatable_memory - memory) * 10 // allocatable_memory
    )
    cpu_fraction = 1.0 if allocatable_cpu == 0 else cpu / allocatable_cpu
    memory_fraction = 1.0 if allocatable_memory == 0 else memory / allocatable_memory
    if cpu_fraction >= 1 or memory_fraction >= 1:
        return (cpu_score + memory_score) // 2
    return (cpu_score + memory_score) // 2 + int(
        (1 - abs(cpu_fraction - memory_fraction)) * MAX_PRIORITY_LEGACY
    )


def framework_resource_score(
    cpu: int,
    memory: int,
    allocatable_cpu: int,
    allocatable_memory: int,
    real_cpu: int,
    real_memory: int,
    balanced: bool = True,
) -> int:
    """NodeResourcesFit (LeastAllocated, non-zero requests) + BalancedAllocation (real requests), 0–100 each."""
    if allocatable_cpu and allocatable_memory:
        cpu_score = 0 if cpu > allocatable_cpu else (allocatable_cpu - cpu) * 100 // allocatable_cpu
        memory_score = (
            0 if memory > allocatable_memory else (allocatable_memory - memory) * 100 // allocatable_memory
        )
        score = (cpu_score * LEAST_ALLOCATED_CPU_WEIGHT + memory_score * LEAST_ALLOCATED_MEMORY_WEIGHT) // (
            LEAST_ALLOCATED_CPU_WEIGHT + LEAST_ALLOCATED_MEMORY_WEIGHT
        )
        if not balanced:
            return score
        cpu_fraction = real_cpu / allocatable_cpu
        memory_fraction = real_memory / allocatable_memory
        std = abs(
            (
                (cpu_fraction if cpu_fraction < 1.0 else 1.0)
                - (memory_fraction if memory_fraction < 1.0 else 1.0)
            )
            / 2
        )
        return score + int((1 - std) * MAX_NODE_SCORE)
    # A resource with nothing allocatable leaves both plugins (least_allocated_score, balanced_allocation_score).
    score = 0
    if allocatable_cpu:
        score = _least_requested(cpu, allocatable_cpu, MAX_NODE_SCORE)
    elif allocatable_memory:
        score = _least_requested(memory, allocatable_memory, MAX_NODE_SCORE)
    return score + MAX_NODE_SCORE if balanced else score


# --- per-profile and per-class state ----------------------------------------------------------


@dataclass(slots=True)
class _ProfileNodes:
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
class _PodClass:
    """Pods alike for filtering and resource scoring.

    ``base`` is per scan position, doubled; ``scores`` is the same once, as a list. ``top`` is
    the highest score of a usable node and ``tops`` the sorted scan positions that have it.
    ``index`` is the class's place in the scheduler's score memo; ``passes`` is ``profile.passes``.
    """

    profile: _ProfileNodes
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


class _Snapshot:
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


class FleetScheduler:
    """Serial scheduling cycles over a :class:`FleetNodes` (see the module docstring)."""

    def __init__(
        self,
        nodes: FleetNodes,
        settings: KubeSchedulerSettings | SchedulerConfig,
        rng: np.random.Generator,
    ) -> None:
        self.nodes = nodes
        self.settings = settings = scheduler_settings(settings)
        self.rng = rng
        self.sampling = SamplingState()
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
        self._uniforms: list[float] = []
        self._next_uniform = 0
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
        self._seen = {name: _Snapshot(getattr(nodes, name)) for name in (*_REQUEST_ARRAYS, *_STATIC_ARRAYS)}
        self._columns = {name: (self._seen[name].array, mirror) for name, mirror in self._mirrors.items()}
        self._dirty: set[int] = set()
        self._profiles: dict[object, _ProfileNodes] = {}
        self._zones_of_window: dict[tuple[int, int], list[int]] = {}
        self._classes: dict[tuple[object, ...], _PodClass] = {}
        self._class_list: list[_PodClass] = []
        # Classes by (index in the batch's profiles, cpu, memory, storage), for those profiles.
        self._batch_profile_keys: list[object] = []
        self._batch_classes: dict[tuple[int, int, int, int], _PodClass] = {}
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

    def _profile_nodes(self, profile: PodProfile) -> _ProfileNodes:
        known = self._profiles.get(profile.key)
        if known is None:
            n = self._n
            known = _ProfileNodes(profile, [True] * n, [False] * n, [None] * n, [True] * n, [0] * n)
            for node in range(n):
                self._profile_node(known, node)
                self._all_pass[node] = self._all_pass[node] and known.passes[node]
            self._prefer_scan(known)
            self._profiles[profile.key] = known
        return known

    def _profile_node(self, profile: _ProfileNodes, node: int) -> None:
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

    def _prefer_scan(self, profile: _ProfileNodes) -> None:
        """The PreferNoSchedule counts in doubled scan order, or empty when no node has any."""
        prefer = np.array(profile.prefer, dtype=np.int64)[self._order]
        profile.prefer_scan = np.concatenate([prefer, prefer]) if prefer.any() else prefer[:0]
        profile.prefers = bool(profile.prefer_scan.size)

    def _pod_class(self, profile: PodProfile, cpu: int, memory: int, storage: int) -> _PodClass:
        key = (profile.key, cpu, memory, storage)
        known = self._classes.get(key)
        if known is not None:
            return known
        n = self._n
        requests = cpu > 0 or memory > 0 or storage > 0

        def need(wanted: int) -> int:
            return wanted if requests and (self._legacy or wanted > 0) else _UNCHECKED

        profile_nodes = self._profile_nodes(profile)
        cls = _PodClass(
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

    def _update_node(self, node: int, classes: Sequence[_PodClass] | None = None) -> None:
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

    def _set_score(self, cls: _PodClass, position: int, value: int) -> None:
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
                cls.tops = (totals == cls.top).nonzero()[0].tolist() if cls.top > _USABLE_ABOVE else []

    def _bound_requests(self) -> None:
        """Per node, in one tuple: its shape (allocatable cpu and memory), scan position and
        allocatable pods, and the most it may have requested of each resource for every class to fit."""
        classes = self._class_list
        need_cpu = max((cls.need_cpu for cls in classes), default=_UNCHECKED)
        need_memory = max((cls.need_memory for cls in classes), default=_UNCHECKED)
        need_storage = max((cls.need_storage for cls in classes), default=_UNCHECKED)
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

    # -- the cycle ------------------------------------------------------------------------------

    def schedule(self, pods: PodBatch) -> FleetScheduleResult:
        """One scheduling cycle per pod, in order, each seeing the pods assumed before it."""
        count = len(pods)
        cycles = self.schedule_lists(
            (pods.app if pods.staging is None else np.where(pods.staging, -1, pods.app)).tolist(),
            pods.cpu_millis.tolist(),
            pods.memory_mb.tolist(),
            pods.storage_mb.tolist(),
            [-1] * count if pods.image is None else pods.image.tolist(),
            [0] * count if pods.profile is None else pods.profile.tolist(),
            pods.profiles,
        )
        return FleetScheduleResult(
            _ints(cycles.node),
            _ints(cycles.reason),
            cycles.texts,
            _ints(cycles.start),
            _ints(cycles.examined),
            _ints(cycles.feasible),
            _ints(cycles.tied),
        )

    def schedule_lists(
        self,
        apps: list[int],
        cpus: list[int],
        memories: list[int],
        storages: list[int],
        images: list[int],
        profile_of: list[int] | None = None,
        profiles: Sequence[PodProfile] = (PodProfile(),),
    ) -> ScheduledCycles:
        """:meth:`schedule` for a caller that holds its pods in lists (``apps`` -1 for an ownerless
        pod, ``images`` -1 for none): a small batch then costs no numpy conversions either way."""
        self._sync()
        count = len(apps)
        if profile_of is None:
            profile_of = [0] * count
        n, to_find = self._n, self._to_find
        result_node = [-1] * count
        result_reason = [-1] * count
        starts = [0] * count
        examined_of = [0] * count
        feasible_of = [0] * count
        tied_of = [0] * count
        texts: list[str] = []
        text_codes: dict[str, int] = {}
        if n == 0:
            texts.append(ERROR_NO_NODES_AVAILABLE)
            result_reason = [0] * count
            return ScheduledCycles(
                result_node, result_reason, texts, starts, examined_of, feasible_of, tied_of
            )

        # The classes of the last batch serve the next one if its profiles are the same.
        profile_keys = [profile.key for profile in profiles]
        if profile_keys != self._batch_profile_keys:
            self._batch_profile_keys, self._batch_classes = profile_keys, {}
        classes = self._batch_classes
        app_pods = self.nodes.app_pods
        node_images = self.nodes.images
        order2 = self._order2
        mixed_zoning = self._mixed_zoning
        uniforms, next_uniform = self._uniforms, self._next_uniform
        highest = np.maximum.reduce
        placed: list[int] = []
        start = self.sampling.next_start_node_index % n
        req_cpu, req_memory, req_storage = self._req_cpu, self._req_memory, self._req_storage
        pod_counts, without_cpu, without_memory = self._pods, self._without_cpu, self._without_memory
        messages, update_node = self._messages, self._update_node

        for i, app, cpu, memory, storage, image, profile in zip(
            range(count), apps, cpus, memories, storages, images, profile_of, strict=True
        ):
            key = (profile, cpu, memory, storage)
            cls = classes.get(key)
            if cls is None:
                cls = classes[key] = self._pod_class(profiles[profile], cpu, memory, storage)
            s = start
            unusable = cls.unusable
            if not unusable:
                examined = feasible = to_find
            elif n - len(unusable) < to_find:
                examined, feasible = n, n - len(unusable)
            else:
                examined, feasible = examined_count(unusable, s, to_find, n), to_find
            start = (s + examined) % n
            starts[i] = s
            examined_of[i] = examined
            feasible_of[i] = feasible
            if feasible == 0:
                text = self._fit_error(cls)
                code = text_codes.get(text)
                if code is None:
                    code = text_codes[text] = len(texts)
                    texts.append(text)
                result_reason[i] = code
                continue

            if feasible == 1:
                node, tied = order2[s + int(cls.base[s : s + examined].argmax())], 1
            else:
                # Most pods skip the window terms: their other plugins score every sampled node
                # alike. Most of those find some of the class's best nodes in their window.
                tops = cls.tops
                window = None
                if (
                    mixed_zoning
                    or app_pods.get(app)
                    or cls.profile.prefers
                    or ((held := node_images.get(image)) and self._image_may_score(held))
                ):
                    # None when the terms turn out the same on every sampled node after all
                    # (say the app has no pods in the window): then as for the other pods.
                    window = self._add_window_terms(
                        cls.base[s : s + examined],
                        cls,
                        app,
                        image,
                        s,
                        examined,
                        feasible,
                        app_pods,
                        node_images,
                    )
                if window is not None:
                    top = (window == highest(window)).nonzero()[0]
                    tied = len(top)
                elif tops and (found := positions_between(tops, s, examined, n))[1]:
                    top, (first, tied) = None, found
                else:
                    window = cls.base[s : s + examined]
                    top = (window == highest(window)).nonzero()[0]
                    tied = len(top)
                nth = 0
                if tied > 1:
                    if next_uniform == len(uniforms):
                        uniforms, next_uniform = self.rng.random(UNIFORM_BLOCK).tolist(), 0
                    nth = int(uniforms[next_uniform] * tied)
                    next_uniform += 1
                # The winner's scan position (plus n for a window offset past the end).
                position = tops[(first + nth) % len(tops)] if top is None else s + int(top[nth])
                node = order2[position]
            result_node[i] = node
            tied_of[i] = tied
            placed.append(node)
            # Assume the pod (inlined: one call fewer a cycle).
            req_cpu[node] += cpu
            req_memory[node] += memory
            req_storage[node] += storage
            pod_counts[node] += 1
            if cpu == 0:
                without_cpu[node] += 1
            if memory == 0:
                without_memory[node] += 1
            if app >= 0:
                counts = app_pods.get(app)
                if counts is None:
                    app_pods[app] = {node: 1}
                else:
                    counts[node] = counts.get(node, 0) + 1
            if messages:
                messages.clear()
            update_node(node)

        self._uniforms, self._next_uniform = uniforms, next_uniform
        self.sampling.next_start_node_index = start
        self._write_back(placed)
        return ScheduledCycles(result_node, result_reason, texts, starts, examined_of, feasible_of, tied_of)

    # -- score plugins that are not the same on every sampled node ------------------------------

    def _add_window_terms(
        self,
        window: np.ndarray,
        cls: _PodClass,
        app: int,
        image: int,
        start: int,
        length: int,
        feasible: int,
        app_pods: dict[int, dict[int, int]],
        node_images: dict[int, dict[int, int]],
    ) -> np.ndarray | None:
        """The window's totals: ``window`` plus spreading, ImageLocality and TaintToleration where
        they vary; None if none varies (``window`` is then the totals)."""
        base = window
        counts = app_pods.get(app) if app >= 0 else None
        spread = None
        if self._legacy:
            if counts or self._mixed_zoning:
                spread = self._selector_spread(window, counts or {}, start, length, feasible)
        elif counts or (self._mixed_zoning and app >= 0):
            spread = self._topology_spread(window, cls, counts or {}, start, length, feasible)
        if spread is not None:
            window = window + spread
        if cls.profile.prefers:
            taints = self._taint_toleration(window, cls, start, length)
            if taints is not None:
                window = window + self._taint_weight * taints
        holders = node_images.get(image) if image >= 0 else None
        if holders:
            window = self._image_locality(window, holders, start, length)
        return None if window is base else window

    def _in_window(
        self, window: np.ndarray, counts: Mapping[int, int], start: int, length: int
    ) -> list[tuple[int, int, int]]:
        """(offset, pods, node) of the app's nodes that the scan found feasible."""
        n, pos_of = self._n, self._pos_of
        found = []
        for node, pods in counts.items():
            if pods > 0:
                offset = (pos_of[node] - start) % n
                if offset < length and window[offset] > _USABLE_ABOVE:
                    found.append((offset, pods, node))
        return found

    def _window_zone_counts(self, window: np.ndarray, start: int, length: int, feasible: int) -> list[int]:
        """Feasible nodes per zone index in the window."""
        zones = self._zone_scan2[start : start + length]
        if length != feasible:
            return np.bincount(zones[window > _USABLE_ABOVE], minlength=len(self._named)).tolist()
        # Every examined node is feasible: the answer depends on the window alone.
        key = (start, length)
        known = self._zones_of_window.get(key)
        if known is None:
            known = self._zones_of_window[key] = np.bincount(zones, minlength=len(self._named)).tolist()
        return known

    def _selector_spread(
        self, window: np.ndarray, counts: Mapping[int, int], start: int, length: int, feasible: int
    ) -> np.ndarray | None:
        """SelectorSpreadPriority × weight over the window (``selector_spread_normalize``); None if uniform."""
        found = self._in_window(window, counts, start, length)
        if not found and not self._mixed_zoning:
            return None
        zone_of, named = self._zone_of, self._named
        if self._mixed_zoning:
            zone_counts = self._window_zone_counts(window, start, length, feasible)
            any_zoned = any(named[z] and c for z, c in enumerate(zone_counts))
        else:
            # Every node's zone is named, or none is: so are the feasible ones in the window.
            any_zoned = self._any_named
        max_by_node = max((pods for _, pods, _ in found), default=0)
        by_zone: dict[int, int] = {}
        for _, pods, node in found:
            if named[zone_of[node]]:
                by_zone[zone_of[node]] = by_zone.get(zone_of[node], 0) + pods
        max_by_zone = max(by_zone.values(), default=0)
        top = float(MAX_PRIORITY_LEGACY)
        weight = self._spread_weight

        def score(pods: int, zone: int) -> int:
            value = top
            if max_by_node > 0:
                value = top * ((max_by_node - pods) / max_by_node)
            if any_zoned and named[zone]:
                zone_score = top
                if max_by_zone > 0:
                    zone_score = top * ((max_by_zone - by_zone.get(zone, 0)) / max_by_zone)
                value = (value * (1.0 - SELECTOR_SPREAD_ZONE_WEIGHTING)) + (
                    SELECTOR_SPREAD_ZONE_WEIGHTING * zone_score
                )
            return int(value) * weight

        table = np.array([score(0, z) for z in range(len(named))], dtype=np.int64)
        term = table[self._zone_scan2[start : start + length]]
        for offset, pods, node in found:
            term[offset] = score(pods, zone_of[node])
        return term

    def _topology_spread(
        self,
        window: np.ndarray,
        cls: _PodClass,
        counts: Mapping[int, int],
        start: int,
        length: int,
        feasible: int,
    ) -> np.ndarray:
        """PodTopologySpread × weight with the system defaults (``spread_raw_score``, ``spread_normalize``)."""
        zone_of, named = self._zone_of, self._named
        per_zone = self._window_zone_counts(window, start, length, feasible)
        host_weight = topology_normalizing_weight(feasible)
        zone_weight = topology_normalizing_weight(sum(1 for c in per_zone if c))
        selector_ok = cls.profile.selector_ok
        by_zone = [0] * len(named)
        for node, pods in counts.items():
            if pods > 0 and selector_ok[node]:
                by_zone[zone_of[node]] += pods

        def raw(pods: int, zone: int) -> int:
            score = 0.0
            score += pods * host_weight + (SYSTEM_DEFAULT_HOSTNAME_MAX_SKEW - 1)
            if named[zone]:
                score += by_zone[zone] * zone_weight + (SYSTEM_DEFAULT_ZONE_MAX_SKEW - 1)
            return math.floor(score + 0.5)

        # Nodes without the app's pods score by their zone alone; the app's nodes one by one.
        zone_raw = [raw(0, z) for z in range(len(named))]
        others = list(per_zone)
        found = []
        for offset, pods, node in self._in_window(window, counts, start, length):
            found.append((offset, raw(pods, zone_of[node])))
            others[zone_of[node]] -= 1
        counted = [zone_raw[z] for z, c in enumerate(others) if c] + [value for _, value in found]
        low, high = min(counted), max(counted)
        weight = self._spread_weight

        def normalized(value: int) -> int:
            return weight * (MAX_NODE_SCORE if high == 0 else MAX_NODE_SCORE * (high + low - value) // high)

        table = np.array([normalized(value) for value in zone_raw], dtype=np.int64)
        term = table[self._zone_scan2[start : start + length]]
        for offset, value in found:
            term[offset] = normalized(value)
        return term

    def _taint_toleration(
        self, window: np.ndarray, cls: _PodClass, start: int, length: int
    ) -> np.ndarray | None:
        """TaintToleration: fewer untolerated PreferNoSchedule taints score higher; None if uniform."""
        prefer = cls.profile.prefer_scan[start : start + length]
        highest = int(prefer[window > _USABLE_ABOVE].max())
        if highest == 0:
            return None
        return self._max_score - self._max_score * prefer // highest

    def _image_may_score(self, holders: Mapping[int, int]) -> bool:
        """Whether ImageLocality scores any holder: its biggest copy, scaled by the spread, passes the floor."""
        if not holders:
            return False
        spread = len(holders) / self._n
        return int(max(holders.values()) * BYTES_PER_MB * spread) > IMAGE_MIN_THRESHOLD_BYTES

    def _image_locality(
        self, window: np.ndarray, holders: Mapping[int, int], start: int, length: int
    ) -> np.ndarray:
        """ImageLocality of the pod's one image: nonzero only where it is held and widespread enough."""
        n, pos_of = self._n, self._pos_of
        spread = len(holders) / n
        high = IMAGE_MAX_CONTAINER_THRESHOLD_BYTES  # one container, in both modes
        copied = False
        for node, size in holders.items():
            total = int(size * BYTES_PER_MB * spread)
            if total <= IMAGE_MIN_THRESHOLD_BYTES:
                continue
            offset = (pos_of[node] - start) % n
            if offset >= length or window[offset] <= _USABLE_ABOVE:
                continue
            clamped = min(total, high)
            score = (
                self._max_score * (clamped - IMAGE_MIN_THRESHOLD_BYTES) // (high - IMAGE_MIN_THRESHOLD_BYTES)
            )
            if not copied:
                window, copied = window.copy(), True
            window[offset] += self._image_weight * score
        return window

    # -- FailedScheduling -----------------------------------------------------------------------

    def _fit_error(self, cls: _PodClass) -> str:
        """``0/N nodes are available: ...``: every node was examined; each gives its first plugin's reasons."""
        key = (cls.profile.profile.key, cls.cpu, cls.memory, cls.storage)
        known = self._messages.get(key)
        if known is not None:
            return known
        legacy = self._legacy
        reasons: Counter[str] = Counter()
        for node in range(self._n):
            reasons.update(self._node_reasons(cls, node, legacy))
        text = fit_error(self._n, ([reason] for reason, times in reasons.items() for _ in range(times)))
        self._messages[key] = text
        return text

    def _node_reasons(self, cls: _PodClass, node: int, legacy: bool) -> list[str]:
        """One node's rejection, in the profile's filter order (filters.py)."""
        profile = cls.profile
        if profile.cordoned[node]:
            return [REASON_UNSCHEDULABLE]
        resources = []
        if self._pods[node] + 1 > self._alloc_pods[node]:
            resources.append(
                REASON_INSUFFICIENT.format(resource=RESOURCE_PODS) if legacy else REASON_TOO_MANY_PODS
            )
        for resource, need, free in (
            (RESOURCE_CPU, cls.need_cpu, self._alloc_cpu[node] - self._req_cpu[node]),
            (RESOURCE_MEMORY, cls.need_memory, self._alloc_memory[node] - self._req_memory[node]),
            (
                RESOURCE_EPHEMERAL_STORAGE,
                cls.need_storage,
                self._alloc_storage[node] - self._req_storage[node],
            ),
        ):
            if need > free:
                resources.append(REASON_INSUFFICIENT.format(resource=resource))
        taint = profile.taint_reason[node]
        if legacy:
            general = resources + ([] if profile.selector_ok[node] else [REASON_LEGACY_NODE_SELECTOR])
            if general:
                return general
            return [REASON_LEGACY_TAINTS] if taint else []
        if taint:
            return [taint]
        if not profile.selector_ok[node]:
            return [REASON_NODE_AFFINITY]
        return resources
