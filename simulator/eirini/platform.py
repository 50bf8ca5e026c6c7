"""Eirini (2019) on Kubernetes as a whole: the model state and the components that act on it.

Cloud Controller talks to Eirini's OPI; OPI writes Jobs and StatefulSets to the API server;
the controller manager creates pods; kube-scheduler binds them; each node's kubelet pulls the
image from bits-service and runs it; Eirini's route collector tells gorouter over NATS.

What an operator or the world does to the cluster, the Kubernetes way (§1.9–§1.11, §3.3–§3.8):

- a crash: the kubelet restarts the container in place after CrashLoopBackOff, and Eirini's
  crash reporter tells Cloud Controller (``crash_reporter.py``);
- a drain: ``kubectl drain`` by the ``operator`` component (``operator.py``);
- a node failure: the node lifecycle controller notices after 40 s, evicts after 300 s, and
  StatefulSet pods stay until the node returns (``node_lifecycle.py``);
- a new rootfs: ``helm upgrade``, bits-service restarts, the ``rootfs-patcher`` Job relabels
  every StatefulSet and each rolls its pods one at a time (``rootfs.py``).

Component ids besides the protocol's: ``operator`` (the operator's kubectl and helm) and
``rootfs-patcher`` (the patcher Job); both appear only once they act.

A scenario's cells become nodes with the same memory, disk (ephemeral storage), pod slots and
zone. Diego's stacks have no Kubernetes counterpart (the rootfs is a layer of every app image),
and Eirini 2019 had no isolation segments: cfviz maps placement tags to node labels, taints,
nodeSelectors and tolerations (see ``kube_scheduler.py``). The run page says both.
"""

from __future__ import annotations

from simulator.cf.cloud_controller import CloudController
from simulator.cf.gorouter import Gorouter
from simulator.cf.platform import Platform
from simulator.eirini.api_server import ApiServer
from simulator.eirini.constants import DEFAULT_ROOTFS_VERSION
from simulator.eirini.controllers import ControllerManager
from simulator.eirini.crash_reporter import CrashReporter
from simulator.eirini.disruption import EvictionApi
from simulator.eirini.kube_scheduler import KubeScheduler
from simulator.eirini.kubelet import Kubelet
from simulator.eirini.node_lifecycle import NodeLifecycle, taint_text
from simulator.eirini.operator import Operator
from simulator.eirini.opi import OPI, EiriniClient
from simulator.eirini.registry import Registry
from simulator.eirini.rootfs import RootfsRollout
from simulator.eirini.routes import RouteCollector
from simulator.eirini.staging import StagingContainers
from simulator.eirini.state import NODE_READY, SUCCEEDED, Job, Node, Pod, StatefulSet
from simulator.engine import Engine
from simulator.records import RecordLog
from simulator.scenario import Scenario

NAME = "eirini"
# What the run page shows for Diego concepts Kubernetes (as Eirini used it) has no counterpart for.
NO_EQUIVALENT = {
    "stacks": "no Kubernetes equivalent: the rootfs (eirinifs) is a layer of every app image",
    "placement_tags": (
        "Eirini 2019 had no isolation segments; cfviz maps placement tags as Kubernetes would: "
        "node labels and NoSchedule taints, pod nodeSelectors and tolerations"
    ),
    "kube-proxy": "not in the path: gorouter reaches pod IPs directly (no Service)",
}


class EiriniPlatform(Platform):
    name = NAME
    notes = NO_EQUIVALENT

    def __init__(self, scenario: Scenario, engine: Engine, log: RecordLog) -> None:
        super().__init__(scenario, engine, log)
        self.nodes: dict[str, Node] = {
            spec.name: Node(
                spec=spec,
                index=i,
                ip=f"10.1.{16 + i // 250}.{i % 250 + 4}",
                cpu_millis=scenario.eirini.node_cpu_millis,
            )
            for i, spec in enumerate(scenario.cells)
        }
        self.pods: dict[str, Pod] = {}
        self.statefulsets: dict[str, StatefulSet] = {}
        self.jobs: dict[str, Job] = {}
        # OPI's config rootfs_version: the label of every StatefulSet it creates (§1.3).
        self.rootfs_version = DEFAULT_ROOTFS_VERSION

        self.cc = CloudController(self, EiriniClient(self))
        self.opi = OPI(self)
        self.api = ApiServer(self)
        self.evictions = EvictionApi(self)
        self.kcm = ControllerManager(self)
        self.scheduler = KubeScheduler(self)
        self.kubelet = Kubelet(self)
        self.staging = StagingContainers(self)
        self.registry = Registry(self)
        self.routes = RouteCollector(self)
        self.gorouter = Gorouter(self)
        self.crash_reporter = CrashReporter(self)
        self.lifecycle = NodeLifecycle(self)
        self.operator = Operator(self)
        self.rollout = RootfsRollout(self)
        for component in (
            self.cc,
            self.opi,
            self.api,
            self.evictions,
            self.kcm,
            self.scheduler,
            self.kubelet,
            self.staging,
            self.registry,
            self.routes,
            self.gorouter,
            self.crash_reporter,
            self.lifecycle,
            self.operator,
            self.rollout,
        ):
            component.register(engine)

    @property
    def pdb_min_available(self) -> int:
        """PodDisruptionBudgets' minAvailable for apps with more than one instance; 0: none (2019)."""
        return self.scenario.eirini.pdb_min_available

    # -- what the operator and the world do ---------------------------------------------------

    def crash_instance(self, app: str, index: int) -> None:
        """The pod's container exits with an error; the kubelet restarts it in place (§3.3)."""
        sts = self.statefulset_of(app)
        if sts is not None:
            self.kubelet.crash(f"{sts}-{index}")

    def evacuate_cell(self, cell: str) -> None:
        """``kubectl drain``: cordon, evict, wait, reboot, uncordon (§3.6)."""
        self.operator.drain(cell)

    def fail_cell(self, cell: str, recover_after_s: float | None) -> None:
        """The node dies without warning; Kubernetes notices only by the missing heartbeats (§3.7)."""
        self.lifecycle.go_down(cell, failed=True)
        if recover_after_s is not None:
            self.engine.schedule(recover_after_s, "nodes.come_back", cell)

    def rollout_rootfs(self, version: str, max_in_flight: int) -> None:
        """``helm upgrade`` with a new rootfs, then the rootfs patcher (§1.10).

        ``max_in_flight`` (how many Diego cells BOSH updates at once) has no Kubernetes
        counterpart: every StatefulSet rolls one pod at a time, and all sets roll at once.
        """
        self.rollout.upgrade(version)

    def start(self) -> None:
        self.schedule_timeline()
        self.scheduler.start()
        self.routes.start()
        self.gorouter.start()
        for node in self.nodes.values():
            self.emit_node(node)
            self.set_status(f"kube-proxy@{node.name}", "idle: " + NO_EQUIVALENT["kube-proxy"])
        for component in (
            "cf",
            "uaa",
            "cc",
            "eirini",
            "kube-scheduler",
            "controller-manager",
            "route-collector",
            "gorouter",
        ):
            self.set_status(component, "idle")

    # -- lookups ------------------------------------------------------------------------------

    def statefulset_of(self, app: str) -> str | None:
        return next((name for name, sts in self.statefulsets.items() if sts.app == app), None)

    def pods_of(self, owner: str) -> list[Pod]:
        return sorted((p for p in self.pods.values() if p.owner == owner), key=lambda p: p.ordinal)

    def pods_on(self, node: str) -> list[Pod]:
        return [p for p in self.pods.values() if p.node == node]

    def release(self, pod: Pod) -> None:
        """A removed pod's resources are free again on its node."""
        if pod.node in self.nodes:
            self.scheduler.forget(pod.name, pod.node)
            self.emit_node(self.nodes[pod.node])

    # -- state records ------------------------------------------------------------------------

    def emit_pod(self, pod: Pod) -> None:
        if pod.kind == "staging":
            self._emit_staging(pod)
            return
        if pod.phase == "Deleted":
            state = "REMOVED"
        elif pod.unschedulable_reason and pod.node is None:
            state = "UNCLAIMED"
        elif pod.ready:
            state = "RUNNING"
        elif pod.reason.startswith("CrashLoopBackOff"):
            state = "CRASHED"
        else:
            state = "CLAIMED" if pod.node else "UNCLAIMED"
        detail = f"{pod.phase}: {pod.reason}" if not pod.reason.startswith(pod.phase) else pod.reason
        node = self.nodes.get(pod.node or "")
        if node is not None and node.down and not pod.deleting:
            # The API still shows what the kubelet last posted; the node and its containers are gone.
            noticed = not pod.ready or node.ready_condition != NODE_READY
            detail += "; node down" if noticed else "; node down, not yet noticed"
        self.log.state(
            self.now,
            "instance",
            pod.instance,
            state,
            app=pod.app,
            index=pod.ordinal,
            cell=pod.node,
            instance_guid=pod.uid,
            pod=pod.name,
            detail=detail,
            placement_error=pod.unschedulable_reason if pod.node is None else None,
            crash_count=pod.restarts,
            address=f"{pod.ip}:8080" if pod.ip and pod.node else None,
            rootfs=pod.rootfs,
        )
        # Cloud Controller learns instance states from Eirini (§1.5).
        self.cc.instance_running_changed(pod.app)

    def _emit_staging(self, pod: Pod) -> None:
        job = self.jobs.get(pod.owner)
        if job is not None and job.pod != pod.name:
            return  # a replaced pod of the Job: the task is its newer pod now
        if pod.phase == "Deleted":
            state = "DELETED"
        elif pod.phase == SUCCEEDED:
            state = "COMPLETED"
        elif pod.node is None:
            state = "PENDING"
        else:
            state = "RUNNING"
        self.log.state(
            self.now,
            "task",
            pod.owner,
            state,
            app=pod.app,
            cell=pod.node,
            pod=pod.name,
            detail=pod.unschedulable_reason if pod.node is None and pod.unschedulable_reason else pod.reason,
            failed=False,
            failure_reason="",
        )

    def node_activity(self, node: Node, pods: list[Pod] | None = None) -> None:
        """What the node's kubelet and runtime are busy with, for their boxes."""
        if node.down:
            self.set_status(f"kubelet@{node.name}", "down")
            self.set_status(f"runtime@{node.name}", "down")
            return
        pods = pods if pods is not None else [p for p in self.pods_on(node.name) if p.phase != SUCCEEDED]
        not_ready = sum(1 for p in pods if p.kind == "app" and not p.ready)
        self.set_status(
            f"kubelet@{node.name}",
            f"{len(pods)} pod(s)" + (f", {not_ready} not Ready" if not_ready else "") if pods else "idle",
        )
        pulling = self.pods.get(node.pulling) if node.pulling else None
        waiting = len(node.pull_queue)
        if pulling is not None:
            text = f"pulling image for {pulling.name}" + (f", {waiting} waiting" if waiting else "")
        else:
            text = f"{sum(1 for p in pods if p.container == 'running')} container(s)" if pods else "idle"
        self.set_status(f"runtime@{node.name}", text)

    def node_state(self, node: Node) -> str:
        """``failed`` (died), ``restarting`` (rebooting after a drain), ``cordoned`` or ``ok``."""
        if node.down:
            return "failed" if node.failed else "restarting"
        return "cordoned" if node.unschedulable else "ok"

    def emit_node(self, node: Node, state: str | None = None) -> None:
        pods = [p for p in self.pods_on(node.name) if p.phase != SUCCEEDED]
        self.node_activity(node, pods)
        self.log.state(
            self.now,
            "cell",
            node.name,
            state or self.node_state(node),
            # What the API says of the node: its Ready condition and the controller's taints.
            node_ready=node.ready_condition,
            taints=[taint_text(t) for t in node.condition_taints],
            memory_used=sum(p.memory_mb for p in pods),
            disk_used=sum(p.disk_mb for p in pods),
            containers_used=len(pods),
            starting=sum(1 for p in pods if not p.ready and p.kind == "app"),
        )

    # -- questions the facade asks ------------------------------------------------------------

    def running_count(self, app: str) -> int:
        return sum(
            1 for p in self.pods.values() if p.app == app and p.kind == "app" and p.ready and not p.deleting
        )

    def routable_count(self, app: str) -> int:
        """Endpoints gorouter can really reach: those on nodes that are up."""
        return self.gorouter.routable_count(app, {name for name, node in self.nodes.items() if not node.down})

    def placements(self) -> dict[str, str | None]:
        apps = [p for p in self.pods.values() if p.kind == "app" and not p.deleting]
        return {p.instance: p.node for p in sorted(apps, key=lambda p: (p.app, p.ordinal))}

    def cell_names(self) -> list[str]:
        return list(self.nodes)

    def scheduling_rounds(self) -> int:
        return self.scheduler.cycles

    def steady(self) -> bool:
        if self.jobs:
            return False
        if self.operator.busy or self.rollout.running or not self.registry.ready:
            return False
        if any(sts.rolling for sts in self.statefulsets.values()):
            return False
        for node in self.nodes.values():
            if node.down:
                # Until Kubernetes has noticed, and for as long as pods are stuck on it.
                if node.ready_condition == NODE_READY or self.pods_on(node.name):
                    return False
            elif node.ready_condition != NODE_READY or node.condition_taints:
                return False
        # Asked after every event: the app pods are grouped by app in one pass, once needed
        # (one pass per app made a big push quadratic).
        pods_of: dict[str, list[Pod]] | None = None
        for name, app in self.apps.items():
            if app.pending_actions or app.cli_waiting or app.state in ("PUSHING", "STAGING"):
                return False
            if app.spec.crash is not None and app.state in ("STARTING", "RUNNING"):
                return False  # an app that keeps crashing never settles
            sts_name = self.statefulset_of(name)
            wanted = self.statefulsets[sts_name].replicas if sts_name else 0
            if sts_name is not None and app.state != "STOPPED" and wanted != app.desired:
                return False
            if pods_of is None:
                pods_of = {}
                for pod in self.pods.values():
                    if pod.kind == "app":
                        pods_of.setdefault(pod.app, []).append(pod)
            pods = pods_of.get(name, [])
            if len(pods) != wanted or not all(p.ready and not p.deleting for p in pods):
                return False
            if self.routable_count(name) != wanted:
                return False
        return not any(p.kind == "staging" for p in self.pods.values())
