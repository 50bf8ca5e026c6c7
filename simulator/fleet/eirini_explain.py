"""Why this node? for Kubernetes in fleet mode: any pod of an Eirini fleet run, explained after the fact.

A fleet run keeps no per-cycle tables, but :class:`~simulator.fleet.eirini.EiriniFleet` keeps
enough to rebuild what kube-scheduler's cache held when any cycle began: the pod each cycle took
and where its node scan started, the cycle before which each staging pod was let go, and the
cycle from which each reported image was known. The nodes are summed from that and the trace
with numpy, then the per-item scheduler (:func:`simulator.kubernetes.scheduler.schedule_pod`, the
detailed model's own code) runs the cycle again from the same start index. Its table is the
explanation, and the node the fleet run chose must be among its top totals (ties are drawn at
random on both sides): the two implementations check each other on every question asked.

The pods are rebuilt as the fleet gives them to its scheduler: the app's isolation segment (its
placement tags as a node selector and tolerations, none without tags), an app pod's one image
its app's droplet, a staging pod ownerless, imageless and without requests.
"""

from __future__ import annotations

import dataclasses
import random
from array import array
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.eirini.constants import REGISTRY_HOST
from simulator.eirini.opi import staging_job_name
from simulator.kubernetes.cluster import (
    LABEL_SOURCE_TYPE,
    Image,
    NodeState,
    PodOnNode,
    PodWork,
    statefulset_pod,
)
from simulator.kubernetes.fleet_arrays import NOT_READY_TAINTS, PodProfile
from simulator.kubernetes.sampling import SamplingState
from simulator.kubernetes.scheduler import KubePlacement, schedule_pod

if TYPE_CHECKING:
    from simulator.fleet.eirini import EiriniFleet

# The staging Job pod's label (simulator/eirini/kube_scheduler.py gives it the same).
STAGING_LABELS = {LABEL_SOURCE_TYPE: "STG"}


class NotPlaced(ValueError):
    """The pod has not been bound to a node (yet)."""


def pod_decision(fleet: EiriniFleet, instance: int) -> dict[str, Any]:
    """The scheduling cycle that bound ``instance``'s pod (an index into the run's instances)."""
    apps = fleet.apps
    app = int(fleet.instance_app[instance])
    index = instance - int(apps.first_instance[app])
    node = int(fleet.trace.node[instance])
    if node < 0:
        raise NotPlaced(
            f"pod {apps.name(app)}-{index} ({apps.name(app)}/{index}) has not been bound to a node"
        )
    cycle = bound_cycle(fleet, instance)
    placement = _replay(fleet, cycle, pod_work(fleet, cycle))
    return _decision(fleet, placement, cycle, node)


def staging_decision(fleet: EiriniFleet, app: int) -> dict[str, Any]:
    """The scheduling cycle that bound ``app``'s staging pod."""
    node = int(fleet.trace.staging_node[app])
    job = staging_job_name(fleet.apps.name(app))
    if node < 0:
        raise NotPlaced(f"staging pod of {job} has not been bound to a node")
    cycle = bound_cycle(fleet, -1 - app)
    placement = _replay(fleet, cycle, pod_work(fleet, cycle))
    fields = _decision(fleet, placement, cycle, node)
    # As the detailed model records a staging pod's cycle (its instance is ``task:<job>``).
    fields.update(work=f"task:{job}", work_type="task", index=None)
    return fields


def bound_cycle(fleet: EiriniFleet, pod: int) -> int:
    """The cycle that bound ``pod`` (an instance, or ``-1 - app`` for a staging pod), 0-based."""
    taken = _ints(fleet.cycle_pod) == pod
    bound = np.flatnonzero(taken & np.asarray(fleet.trace.round_placed, dtype=bool))
    if len(bound) != 1:
        raise NotPlaced(f"no cycle of the run bound pod {pod}")
    return int(bound[0])


def _ints(values: array[int]) -> np.ndarray:
    """A copy of one of the run's C arrays: a view would hold its buffer, and the run could no
    longer extend it."""
    return np.array(values)


def pod_work(fleet: EiriniFleet, cycle: int) -> PodWork:
    """The pod ``cycle`` took, as the per-item scheduler takes it."""
    pod = int(fleet.cycle_pod[cycle])
    apps = fleet.apps
    app = -1 - pod if pod < 0 else int(fleet.instance_app[pod])
    # The app's isolation segment, as the fleet gives its pods (the default profile without one).
    profile = fleet.profiles[fleet.app_profile[app]] if fleet.app_profile is not None else PodProfile()
    selector, tolerations = dict(profile.node_selector), profile.tolerations
    name = apps.name(app)
    if pod < 0:
        job = staging_job_name(name)
        return PodWork(
            name=job,
            app=name,
            ordinal=-1,
            labels=STAGING_LABELS,
            node_selector=selector,
            tolerations=tolerations,
        )
    index = pod - int(apps.first_instance[app])
    size = image_size(fleet, app)
    work = statefulset_pod(
        name,
        index,
        cpu_milli=int(fleet.app_cpu[app]),
        memory_mb=int(apps.memory_mb[app]),
        ephemeral_mb=int(apps.disk_mb[app]),
        images=(Image(image_name(name), size),),
        node_selector=selector,
    )
    return dataclasses.replace(work, tolerations=tolerations)


def image_name(app_name: str) -> str:
    """The app's droplet image (the fleet only knows it by app id; any one name per app will do)."""
    return f"{REGISTRY_HOST}/cloudfoundry/{app_name}"


def image_size(fleet: EiriniFleet, app: int) -> int:
    """What a node reports for the app's image: the eirinifs layer and the droplet (``_pull_seconds``)."""
    return round(fleet.settings.rootfs_layer_mb + fleet.app_droplet[app])


def images_at(fleet: EiriniFleet, cycle: int) -> dict[int, dict[int, int]]:
    """Every image (by app) kube-scheduler's cache knew of at ``cycle``: ``{app: {node: MB}}``."""
    known: dict[int, dict[int, int]] = {}
    for app, node in zip(*_images_by(fleet, cycle), strict=True):
        known.setdefault(app, {})[node] = image_size(fleet, app)
    return known


def _images_by(fleet: EiriniFleet, cycle: int, app: int | None = None) -> tuple[list[int], list[int]]:
    """Apps and nodes of the images (of ``app``, or all) the cache had taken in before ``cycle`` began."""
    keys = _ints(fleet.image_key)
    keys = keys[_ints(fleet.image_cycle) <= cycle]
    nodes = len(fleet.layout.names)
    apps = keys // nodes
    if app is not None:
        keys, apps = keys[apps == app], apps[apps == app]
    return apps.tolist(), (keys % nodes).tolist()


def nodes_at(fleet: EiriniFleet, cycle: int) -> list[NodeState]:
    """Every node as kube-scheduler's cache held it when ``cycle`` began: the pods bound by earlier
    cycles (app pods never leave in fleet mode; staging pods until the window that let them go),
    with the pods and image of the app that cycle took (the only ones its spreading and
    ImageLocality read)."""
    trace = fleet.trace
    nodes = fleet.scheduler.nodes
    n = len(nodes)
    taken = _ints(fleet.cycle_pod)[:cycle]
    earlier = taken[np.asarray(trace.round_placed[:cycle], dtype=bool)]

    def per_node(where: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(where, weights=weights, minlength=n).astype(np.int64)

    pods = earlier[earlier >= 0]
    pod_nodes = trace.node[pods]
    pod_app = fleet.instance_app[pods]
    cpu, memory, disk = fleet.app_cpu[pod_app], fleet.apps.memory_mb[pod_app], fleet.apps.disk_mb[pod_app]
    staging = -1 - earlier[earlier < 0]
    released = _ints(fleet.staging_released)[staging]
    # Let go before ``cycle`` began: at the catch-up of its window or of an earlier one.
    holding = staging[(released < 0) | (released > cycle)]
    staging_nodes = trace.staging_node[holding]
    staging_count = per_node(staging_nodes)
    requested_cpu = per_node(pod_nodes, cpu)
    requested_memory = per_node(pod_nodes, memory)
    requested_storage = per_node(pod_nodes, disk)
    pod_count = per_node(pod_nodes) + staging_count
    # A staging pod requests nothing: it counts at the non-zero defaults when scoring.
    without_cpu = per_node(pod_nodes[cpu == 0]) + staging_count
    without_memory = per_node(pod_nodes[memory == 0]) + staging_count

    pod = int(fleet.cycle_pod[cycle])
    spread: dict[int, list[PodOnNode]] = {}
    images: dict[int, int] = {}
    image = ""
    if pod >= 0:
        app = int(fleet.instance_app[pod])
        name = fleet.apps.name(app)
        first = int(fleet.apps.first_instance[app])
        for instance in pods[pod_app == app].tolist():
            work = statefulset_pod(name, instance - first)
            on = int(trace.node[instance])
            spread.setdefault(on, []).append(PodOnNode(work.name, work.labels))
        size = image_size(fleet, app)
        images = dict.fromkeys(_images_by(fleet, cycle, app)[1], size)
        image = image_name(name)

    zone_names = [nodes.zone_names[z] for z in nodes.zone.tolist()]
    return [
        NodeState(
            name=nodes.names[i],
            zone=zone_names[i],
            allocatable_cpu_milli=int(nodes.allocatable_cpu[i]),
            allocatable_memory_mb=int(nodes.allocatable_memory[i]),
            allocatable_ephemeral_mb=int(nodes.allocatable_storage[i]),
            allocatable_pods=int(nodes.allocatable_pods[i]),
            labels=dict(nodes.labels[i]),
            # As the fleet scheduler sees a NotReady node (fleet_cache._profile_node).
            taints=tuple(nodes.taints[i]) if nodes.ready[i] else (*nodes.taints[i], *NOT_READY_TAINTS),
            unschedulable=bool(nodes.unschedulable[i]),
            requested_cpu_milli=int(requested_cpu[i]),
            requested_memory_mb=int(requested_memory[i]),
            requested_ephemeral_mb=int(requested_storage[i]),
            pod_count=int(pod_count[i]),
            pods_without_cpu_request=int(without_cpu[i]),
            pods_without_memory_request=int(without_memory[i]),
            images={image: images[i]} if i in images else {},
            pods=spread.get(i, []),
        )
        for i in range(n)
    ]


def _replay(fleet: EiriniFleet, cycle: int, pod: PodWork) -> KubePlacement:
    """The per-item scheduling cycle over the rebuilt nodes, from the cycle's own start index."""
    states = nodes_at(fleet, cycle)
    sampling = SamplingState(int(fleet.cycle_start[cycle]))
    return schedule_pod(states, pod, fleet.scheduler.settings, sampling, random.Random(0))


def top_nodes(placement: KubePlacement) -> set[str]:
    """The nodes the per-item scheduler would draw its winner from: those sharing the top total
    (or the only feasible node, which is not scored)."""
    scored = [c for c in placement.candidates if c.score is not None]
    if not scored:
        return {placement.winner} if placement.winner is not None else set()
    best = max(c.score for c in scored if c.score is not None)
    return {c.cell for c in scored if c.score == best}


def _decision(fleet: EiriniFleet, placement: KubePlacement, cycle: int, chosen: int) -> dict[str, Any]:
    """The decision record the run page's decision panel reads, as the detailed model writes it
    (``KubePlacement.decision_fields``), with the fleet run's own winner and the time it bound the
    pod. ``consistent``: that winner was among the per-item scheduler's top totals."""
    fields = placement.decision_fields(cycle + 1)
    winner = fleet.scheduler.nodes.names[chosen]
    fields["t"] = round(float(fleet.trace.round_at[cycle]), 6)
    fields["winner"] = winner
    fields["consistent"] = winner in top_nodes(placement)
    return fields
