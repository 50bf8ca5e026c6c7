"""The fleet scheduler's inputs and outputs as arrays (docs/fleet.md §2.2).

:class:`FleetNodes` is the scheduler cache for a fleet, :class:`PodBatch` the pods of a batch
(with their :class:`PodProfile`), :class:`FleetScheduleResult` and :class:`ScheduledCycles` what
the cycles decided; the builders make them from per-item nodes and pods, or a uniform fleet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
from simulator.kubernetes.constants import DEFAULT_MAX_PODS, NO_EXECUTE, NO_SCHEDULE, TAINT_UNREACHABLE

# §3.7: what the node lifecycle controller taints an unreachable node with (the same tuple as
# simulator.eirini.node_lifecycle.UNREACHABLE_TAINTS; defined here so kubernetes/ needs no eirini/).
NOT_READY_TAINTS = (Taint(TAINT_UNREACHABLE, "", NO_SCHEDULE), Taint(TAINT_UNREACHABLE, "", NO_EXECUTE))


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


def int_array(values: Sequence[int] | np.ndarray) -> np.ndarray:
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
        zone=int_array([zone_names.index(s.zone) for s in states]),
        zone_names=zone_names,
        allocatable_memory=int_array([s.allocatable_memory_mb for s in states]),
        allocatable_cpu=int_array([s.allocatable_cpu_milli for s in states]),
        allocatable_storage=int_array([s.allocatable_ephemeral_mb for s in states]),
        allocatable_pods=int_array([s.allocatable_pods for s in states]),
        requested_memory=int_array([s.requested_memory_mb for s in states]),
        requested_cpu=int_array([s.requested_cpu_milli for s in states]),
        requested_storage=int_array([s.requested_ephemeral_mb for s in states]),
        pods=int_array([s.pod_count for s in states]),
        pods_without_cpu_request=int_array([s.pods_without_cpu_request for s in states]),
        pods_without_memory_request=int_array([s.pods_without_memory_request for s in states]),
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
        app=int_array(apps),
        memory_mb=int_array([p.memory_mb for p in pods]),
        cpu_millis=int_array([p.cpu_milli for p in pods]),
        storage_mb=int_array([p.ephemeral_mb for p in pods]),
        image=int_array(image_of),
        profile=int_array(profile_of),
        profiles=profile_list or [PodProfile()],
    )
