"""Eirini (2019) on Kubernetes as a whole: the model state and the components that act on it.

Cloud Controller talks to Eirini's OPI; OPI writes Jobs and StatefulSets to the API server;
the controller manager creates pods; kube-scheduler binds them; each node's kubelet pulls the
image from bits-service and runs it; Eirini's route collector tells gorouter over NATS.

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
from simulator.eirini.controllers import ControllerManager
from simulator.eirini.kube_scheduler import KubeScheduler
from simulator.eirini.kubelet import Kubelet
from simulator.eirini.opi import OPI, EiriniClient
from simulator.eirini.registry import Registry
from simulator.eirini.routes import RouteCollector
from simulator.eirini.state import SUCCEEDED, Job, Node, Pod, StatefulSet
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

        self.cc = CloudController(self, EiriniClient(self))
        self.opi = OPI(self)
        self.api = ApiServer(self)
        self.kcm = ControllerManager(self)
        self.scheduler = KubeScheduler(self)
        self.kubelet = Kubelet(self)
        self.registry = Registry(self)
        self.routes = RouteCollector(self)
        self.gorouter = Gorouter(self)
        for component in (
            self.cc,
            self.opi,
            self.api,
            self.kcm,
            self.scheduler,
            self.kubelet,
            self.registry,
            self.routes,
            self.gorouter,
        ):
            component.register(engine)

    def start(self) -> None:
        self.cc.schedule_timeline()
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
            detail=f"{pod.phase}: {pod.reason}" if not pod.reason.startswith(pod.phase) else pod.reason,
            placement_error=pod.unschedulable_reason if pod.node is None else None,
            crash_count=pod.restarts,
            address=f"{pod.ip}:8080" if pod.ip and pod.node else None,
        )
        # Cloud Controller learns instance states from Eirini (§1.5).
        self.cc.instance_running_changed(pod.app)

    def _emit_staging(self, pod: Pod) -> None:
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

    def emit_node(self, node: Node) -> None:
        pods = [p for p in self.pods_on(node.name) if p.phase != SUCCEEDED]
        self.log.state(
            self.now,
            "cell",
            node.name,
            "cordoned" if node.unschedulable else "ok",
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
        return self.gorouter.routable_count(app)

    def placements(self) -> dict[str, str | None]:
        apps = [p for p in self.pods.values() if p.kind == "app" and not p.deleting]
        return {p.instance: p.node for p in sorted(apps, key=lambda p: (p.app, p.ordinal))}

    def cell_names(self) -> list[str]:
        return list(self.nodes)

    def scheduling_rounds(self) -> int:
        return self.scheduler.cycles

    def settled(self) -> bool:
        if not self.cc.timeline_done() or self.jobs:
            return False
        for name, app in self.apps.items():
            if app.pending_actions or app.cli_waiting or app.state in ("PUSHING", "STAGING"):
                return False
            sts_name = self.statefulset_of(name)
            wanted = self.statefulsets[sts_name].replicas if sts_name else 0
            if sts_name is not None and app.state != "STOPPED" and wanted != app.desired:
                return False
            pods = [p for p in self.pods.values() if p.app == name and p.kind == "app"]
            if len(pods) != wanted or not all(p.ready and not p.deleting for p in pods):
                return False
            if self.routable_count(name) != wanted:
                return False
        return not any(p.kind == "staging" for p in self.pods.values())
