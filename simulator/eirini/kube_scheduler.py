"""kube-scheduler as a component: its queue, its cache of nodes and its serial cycles (§2.1, §2.5).

Pods the API server reports unscheduled enter the queue. The scheduler pops one pod at a time,
runs :func:`simulator.kubernetes.scheduler.schedule_pod` over its cache (which already counts the
pods it assumed), records the decision, and binds the pod through the API server, or parks it as
unschedulable until a cluster event or the 5-minute flush brings it back. The placement logic
itself is :mod:`simulator.kubernetes`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from simulator.eirini.state import Pod
from simulator.engine import Engine
from simulator.kubernetes.cluster import (
    DEFAULT_TOLERATIONS,
    Image,
    NodeState,
    PodWork,
    Taint,
    Toleration,
    forget,
    statefulset_pod,
)
from simulator.kubernetes.constants import EVENT_NODE_UPDATE, EVENT_POD_DELETE
from simulator.kubernetes.profiles import KubeSchedulerSettings
from simulator.kubernetes.queue import SchedulingQueue
from simulator.kubernetes.sampling import SamplingState
from simulator.kubernetes.scheduler import schedule_pod

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform
    from simulator.scenario import CellSpec

# Eirini 2019 had no isolation segments. cfviz maps Diego's placement tags the way Kubernetes
# would express the same rule: a label per tag on the nodes that offer it, a NoSchedule taint per
# required tag, and a nodeSelector plus a toleration per tag on the pods that carry it. A node
# then takes a pod exactly when Diego's rule holds: required ⊆ tags ⊆ required ∪ optional.
SEGMENT_TAINT = "cloudfoundry.org/isolation-segment"
SEGMENT_LABEL_PREFIX = "segment.cloudfoundry.org/"


def segment_labels(cell: CellSpec) -> dict[str, str]:
    return {
        SEGMENT_LABEL_PREFIX + tag: "true" for tag in (*cell.placement_tags, *cell.optional_placement_tags)
    }


def segment_taints(cell: CellSpec) -> tuple[Taint, ...]:
    return tuple(Taint(SEGMENT_TAINT, tag) for tag in cell.placement_tags)


def segment_selector(tags: tuple[str, ...]) -> dict[str, str]:
    return {SEGMENT_LABEL_PREFIX + tag: "true" for tag in tags}


def segment_tolerations(tags: tuple[str, ...]) -> tuple[Toleration, ...]:
    return (
        *DEFAULT_TOLERATIONS,
        *(Toleration(SEGMENT_TAINT, value=tag, effect="NoSchedule") for tag in tags),
    )


class KubeScheduler:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform
        settings = platform.scenario.eirini
        self.settings = KubeSchedulerSettings(
            mode=settings.scheduler, percentage_of_nodes_to_score=settings.percentage_of_nodes_to_score
        )
        self.queue = SchedulingQueue()
        self.sampling = SamplingState()
        self.cache: dict[str, NodeState] = {
            node.name: NodeState(
                name=node.name,
                zone=node.spec.zone,
                allocatable_cpu_milli=node.cpu_millis,
                allocatable_memory_mb=node.spec.memory_mb,
                allocatable_ephemeral_mb=node.spec.disk_mb,
                allocatable_pods=node.spec.max_containers,
                labels=segment_labels(node.spec),
                taints=segment_taints(node.spec),
            )
            for node in platform.nodes.values()
        }
        self.cycles = 0
        self.busy = False
        self.wake_at: float | None = None

    def register(self, engine: Engine) -> None:
        for name in ("enqueue", "cycle", "wake", "cluster_event", "node_updated"):
            engine.register(f"scheduler.{name}", getattr(self, name))

    def start(self) -> None:
        self.queue.origin = self.p.now

    # -- the queue ----------------------------------------------------------------------------

    def enqueue(self, pod_name: str) -> None:
        pod = self.p.pods.get(pod_name)
        if pod is None or pod.node is not None or pod.deleting:
            return
        self.queue.add(self._work(pod), self.p.now)
        self._run_soon()

    def dequeue(self, pod_name: str) -> None:
        self.queue.delete(pod_name)

    def cluster_event(self, event: str = EVENT_POD_DELETE) -> None:
        """A pod was deleted (room freed): unschedulable pods go back to be tried (§2.5)."""
        moved = self.queue.move_all_to_active_or_backoff(self.p.now, event)
        if moved:
            self._run_soon()

    def node_updated(self, node_name: str) -> None:
        """A Node changed (cordon, uncordon, condition taints): the cache follows, pods move (§2.5)."""
        node = self.p.nodes[node_name]
        cached = self.cache[node_name]
        cached.unschedulable = node.unschedulable
        cached.taints = (*segment_taints(node.spec), *node.condition_taints)
        self.cluster_event(EVENT_NODE_UPDATE)

    def forget(self, pod_name: str, node: str) -> None:
        """A pod left the node (deleted, or its binding failed): its requests are free again."""
        if node in self.cache:
            forget(self.cache[node], pod_name)

    def node_has_image(self, node: str, image: str, size_mb: float) -> None:
        """The kubelet reports the images on its node; ImageLocality reads them."""
        if node in self.cache:
            self.cache[node].images[image] = round(size_mb)

    def _work(self, pod: Pod) -> PodWork:
        app = self.p.apps[pod.app]
        tags = app.spec.placement_tags
        if pod.kind == "staging":
            return PodWork(
                name=pod.name,
                app=pod.app,
                ordinal=-1,
                labels={"cloudfoundry.org/source_type": "STG"},
                node_selector=segment_selector(tags),
                tolerations=segment_tolerations(tags),
            )
        work = statefulset_pod(
            pod.app,
            pod.ordinal,
            guid=app.guid,
            cpu_milli=pod.cpu_millis,
            memory_mb=pod.memory_mb,
            ephemeral_mb=pod.disk_mb,
            images=(Image(pod.image, round(self.p.scenario.eirini.rootfs_layer_mb + app.spec.droplet_mb)),),
            node_selector=segment_selector(tags),
        )
        return dataclasses.replace(work, name=pod.name, tolerations=segment_tolerations(tags))

    # -- cycles -------------------------------------------------------------------------------

    def _run_soon(self) -> None:
        if not self.busy:
            self.busy = True
            self.p.engine.schedule(0.0, "scheduler.cycle")

    def wake(self) -> None:
        self.wake_at = None
        self._run_soon()

    def cycle(self) -> None:
        queued = self.queue.pop(self.p.now)
        if queued is None:
            self.busy = False
            self._sleep_until_due()
            self._status()
            return
        pod = self.p.pods.get(queued.pod.name)
        if pod is None or pod.deleting or pod.node is not None:
            self.queue.delete(queued.pod.name)
            self.p.engine.schedule(0.0, "scheduler.cycle")
            return
        self.cycles += 1
        nodes = [self.cache[name] for name in self.p.nodes]
        placement = schedule_pod(nodes, queued.pod, self.settings, self.sampling, self.p.engine.rng)
        fields = placement.decision_fields(self.cycles)
        if pod.kind == "staging":
            fields.update(work=pod.instance, work_type="task", index=None)
        self.p.log.decision(self.p.now, **fields)
        if placement.winner is not None:
            self.queue.done(pod.name)
            pod.unschedulable_reason = None
            self.p.api.bind(pod.name, placement.winner)
        else:
            self.queue.mark_unschedulable(
                pod.name, self.p.now, plugins=tuple(sorted(placement.unschedulable_plugins))
            )
            pod.unschedulable_reason = placement.error
            pod.reason = "Unschedulable"
            self.p.emit_pod(pod)
        self._status()
        cycle_s = self.p.duration(self.p.scenario.eirini.scheduling_cycle_s)
        self.p.engine.schedule(cycle_s, "scheduler.cycle")

    def _sleep_until_due(self) -> None:
        due = self.queue.next_event_time()
        if due is not None and (self.wake_at is None or due < self.wake_at):
            self.wake_at = due
            self.p.engine.schedule(max(0.0, due - self.p.now), "scheduler.wake")

    def _status(self) -> None:
        counts = self.queue.counts()
        self.p.set_status(
            "kube-scheduler",
            f"queue: {counts.get('active', 0)} active, {counts.get('backoff', 0)} backoff, "
            f"{counts.get('unschedulable', 0)} unschedulable",
        )
