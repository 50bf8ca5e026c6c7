"""The Kubernetes API server and etcd, and the watches that carry every change to controllers.

Every write is a message to ``api-server``, persisted in ``etcd``, then delivered to each
component watching that kind of object: the controller manager (Jobs, StatefulSets, deleted
pods, and the pods of a StatefulSet that is rolling), kube-scheduler (unscheduled pods, nodes),
the kubelet of the pod's node (unless that node is down: no watch reaches it), and Eirini's
route collector (pod status) and crash reporter (crashed containers).

It also answers the rootfs patcher's StatefulSet updates (§1.10). The Eviction API, which
consults PodDisruptionBudgets, is :mod:`simulator.eirini.disruption`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.eirini.state import SUCCEEDED, Job, Pod, StatefulSet
from simulator.engine import Engine
from simulator.kubernetes.constants import EVENT_POD_DELETE

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform


class ApiServer:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in (
            "job_created",
            "job_deleted",
            "sts_created",
            "sts_scaled",
            "sts_deleted",
            "pod_created",
            "pod_bound",
            "status_updated",
            "pod_deleting",
            "pod_removed",
            "pod_marked_not_ready",
            "node_patched",
            "sts_relabelled",
        ):
            engine.register(f"api.{name}", getattr(self, name))

    def _persist(self, path: str, **entities: object) -> float:
        """Write to etcd; returns when the API server can tell the watchers."""
        self.p.note("api-server", "etcd", f"PUT {path}", **entities)
        return self.p.duration(self.p.timing.api_latency_s) + self.p.duration(self.p.timing.db_latency_s) * 2

    def _watch(
        self, dst: str, label: str, kind: str, *args: object, after: float, **entities: object
    ) -> None:
        self.p.send(
            "api-server", dst, f"watch: {label}", kind, *args, delay=after + self.p.latency(), **entities
        )

    # -- Jobs ---------------------------------------------------------------------------------

    def create_job(self, src: str, job: Job) -> None:
        self.p.send(src, "api-server", f"POST Job {job.name}", "api.job_created", job, app=job.app)

    def job_created(self, job: Job) -> None:
        self.p.jobs[job.name] = job
        after = self._persist(f"/registry/jobs/{job.name}", app=job.app)
        self._watch("controller-manager", f"Job {job.name} ADDED", "kcm.job_added", job.name, after=after)

    def delete_job(self, src: str, name: str) -> None:
        self.p.send(
            src, "api-server", f"DELETE Job {name} (propagation: background)", "api.job_deleted", name
        )

    def job_deleted(self, name: str) -> None:
        job = self.p.jobs.pop(name, None)
        if job is None:
            return
        after = self._persist(f"/registry/jobs/{name} (deleted)")
        if job.pod is not None and job.pod in self.p.pods:
            self._watch("controller-manager", f"Job {name} DELETED", "kcm.delete_pod", job.pod, after=after)

    # -- StatefulSets -------------------------------------------------------------------------

    def create_statefulset(self, src: str, sts: StatefulSet) -> None:
        self.p.send(
            src,
            "api-server",
            f"POST StatefulSet {sts.name} (replicas: {sts.replicas}, podManagementPolicy: Parallel)",
            "api.sts_created",
            sts,
            app=sts.app,
        )

    def sts_created(self, sts: StatefulSet) -> None:
        self.p.statefulsets[sts.name] = sts
        after = self._persist(f"/registry/statefulsets/{sts.name}", app=sts.app)
        self._watch(
            "controller-manager", f"StatefulSet {sts.name} ADDED", "kcm.sts_sync", sts.name, after=after
        )

    def scale_statefulset(self, src: str, name: str, replicas: int) -> None:
        self.p.send(
            src,
            "api-server",
            f"PATCH StatefulSet {name} (replicas: {replicas})",
            "api.sts_scaled",
            name,
            replicas,
        )

    def sts_scaled(self, name: str, replicas: int) -> None:
        sts = self.p.statefulsets.get(name)
        if sts is None:
            return
        sts.replicas = replicas
        after = self._persist(f"/registry/statefulsets/{name}", app=sts.app)
        self._watch("controller-manager", f"StatefulSet {name} MODIFIED", "kcm.sts_sync", name, after=after)

    def delete_statefulset(self, src: str, name: str) -> None:
        self.p.send(
            src, "api-server", f"DELETE StatefulSet {name} (propagation: background)", "api.sts_deleted", name
        )

    def sts_deleted(self, name: str) -> None:
        sts = self.p.statefulsets.pop(name, None)
        if sts is None:
            return
        after = self._persist(f"/registry/statefulsets/{name} (deleted)", app=sts.app)
        for pod in self.p.pods_of(name):
            self._watch(
                "controller-manager", f"StatefulSet {name} DELETED", "kcm.delete_pod", pod.name, after=after
            )

    # -- Pods ---------------------------------------------------------------------------------

    def create_pod(self, src: str, pod: Pod) -> None:
        self.p.send(
            src,
            "api-server",
            f"POST Pod {pod.name}",
            "api.pod_created",
            pod,
            instance=pod.instance,
            app=pod.app,
        )

    def pod_created(self, pod: Pod) -> None:
        self.p.pods[pod.name] = pod
        self.p.emit_pod(pod)
        after = self._persist(f"/registry/pods/{pod.name}", instance=pod.instance)
        self._watch(
            "kube-scheduler",
            f"Pod {pod.name} ADDED (no node)",
            "scheduler.enqueue",
            pod.name,
            after=after,
            instance=pod.instance,
        )

    def bind(self, pod_name: str, node: str) -> None:
        pod = self.p.pods.get(pod_name)
        self.p.send(
            "kube-scheduler",
            "api-server",
            f"POST Pod {pod_name}/binding → {node}",
            "api.pod_bound",
            pod_name,
            node,
            instance=pod.instance if pod else None,
        )

    def pod_bound(self, pod_name: str, node: str) -> None:
        pod = self.p.pods.get(pod_name)
        if pod is None or pod.deleting:
            self.p.scheduler.forget(pod_name, node)
            return
        pod.node = node
        pod.reason = "ContainerCreating"
        self.p.emit_pod(pod)
        after = self._persist(f"/registry/pods/{pod_name} (nodeName: {node})", instance=pod.instance)
        if self.p.nodes[node].down:
            return  # no kubelet is watching; it syncs the pod when it comes back
        self._watch(
            f"kubelet@{node}", f"Pod {pod_name} bound here", "kubelet.pod_bound", node, pod_name, after=after
        )

    def update_status(self, node: str, pod: Pod, label: str, crashed: bool = False) -> None:
        """The kubelet posts a pod's status; ``crashed``: its container exited with an error."""
        self.p.send(
            f"kubelet@{node}",
            "api-server",
            f"PATCH Pod {pod.name}/status ({label})",
            "api.status_updated",
            pod.name,
            crashed,
            instance=pod.instance,
        )

    def status_updated(self, pod_name: str, crashed: bool = False) -> None:
        pod = self.p.pods.get(pod_name)
        if pod is None:
            return
        after = self._persist(f"/registry/pods/{pod_name} (status)", instance=pod.instance)
        if pod.kind == "app":
            self._pod_modified(pod, after)
            if crashed:
                # Eirini's crash reporter is a pod informer (§1.9).
                self._watch(
                    "eirini",
                    f"Pod {pod_name} MODIFIED (container terminated, exit status ≠ 0)",
                    "crash.pod_crashed",
                    pod_name,
                    pod.restarts,
                    after=after,
                    instance=pod.instance,
                )

    def _pod_modified(self, pod: Pod, after: float) -> None:
        """Tell the route collector, and the StatefulSet controller while the pod's set rolls.

        The controller watches every pod; cfviz draws only the events that make it act (a rolling
        update waits for each new pod to be Ready, §3.5).
        """
        self._watch(
            "route-collector",
            f"Pod {pod.name} MODIFIED",
            "routes.pod_changed",
            pod.name,
            after=after,
            instance=pod.instance,
        )
        sts = self.p.statefulsets.get(pod.owner)
        if sts is not None and sts.rolling:
            self._watch(
                "controller-manager",
                f"Pod {pod.name} MODIFIED",
                "kcm.sts_sync",
                sts.name,
                after=after,
                instance=pod.instance,
            )

    def mark_pod_not_ready(self, src: str, pod_name: str, reason: str) -> None:
        """Someone other than the kubelet sets the pod's Ready condition to False (§3.7)."""
        pod = self.p.pods.get(pod_name)
        self.p.send(
            src,
            "api-server",
            f"PATCH Pod {pod_name}/status (Ready=False: {reason})",
            "api.pod_marked_not_ready",
            pod_name,
            reason,
            instance=pod.instance if pod else None,
        )

    def pod_marked_not_ready(self, pod_name: str, reason: str) -> None:
        pod = self.p.pods.get(pod_name)
        if pod is None or pod.deleting:
            return
        pod.ready = False
        pod.reason = f"Running, not Ready ({reason})"
        self.p.emit_pod(pod)
        after = self._persist(f"/registry/pods/{pod_name} (status)", instance=pod.instance)
        if pod.kind == "app":
            self._pod_modified(pod, after)

    def delete_pod(self, src: str, pod_name: str, why: str = "") -> None:
        pod = self.p.pods.get(pod_name)
        self.p.send(
            src,
            "api-server",
            f"DELETE Pod {pod_name}" + (f" ({why})" if why else ""),
            "api.pod_deleting",
            pod_name,
            instance=pod.instance if pod else None,
        )

    def pod_deleting(self, pod_name: str) -> None:
        """Deletion sets a deletionTimestamp; the kubelet stops the pod, then it is removed (§3.8).

        On a node that is down no kubelet hears of it, so the pod stays Terminating (§3.7 step 4).
        """
        pod = self.p.pods.get(pod_name)
        if pod is None or pod.deleting:
            return
        pod.deleting = True
        node = self.p.nodes.get(pod.node) if pod.node else None
        pod.reason = "Terminating (its kubelet is unreachable)" if node and node.down else "Terminating"
        self.p.emit_pod(pod)
        after = self._persist(f"/registry/pods/{pod_name} (deletionTimestamp)", instance=pod.instance)
        if pod.kind == "app":
            self._watch(
                "route-collector", f"Pod {pod_name} terminating", "routes.pod_changed", pod_name, after=after
            )
        elif pod.owner in self.p.jobs and pod.phase != SUCCEEDED:
            # A Job counts only pods without a deletionTimestamp as active (§3.7 step 4: unlike a
            # StatefulSet, it replaces a terminating pod at once, under a new name).
            self._watch(
                "controller-manager",
                f"Pod {pod_name} terminating",
                "kcm.job_pod_gone",
                pod.owner,
                pod_name,
                after=after,
                task=pod.owner,
            )
        if pod.node is None:
            self.p.scheduler.dequeue(pod_name)
            self.pod_removed(pod_name)
        elif node is not None and not node.down:
            self._watch(
                f"kubelet@{pod.node}",
                f"Pod {pod_name} DELETING",
                "kubelet.kill",
                pod.node,
                pod_name,
                after=after,
            )

    def pod_removed(self, pod_name: str) -> None:
        pod = self.p.pods.pop(pod_name, None)
        if pod is None:
            return
        succeeded = pod.phase == SUCCEEDED
        pod.phase = "Deleted"
        self.p.emit_pod(pod)
        after = self._persist(f"/registry/pods/{pod_name} (removed)", instance=pod.instance)
        if pod.node is not None:
            self.p.release(pod)
        if pod.kind == "app":
            self._watch(
                "route-collector",
                f"Pod {pod_name} DELETED",
                "routes.pod_removed",
                pod_name,
                pod.instance,
                after=after,
            )
        self._watch(
            "controller-manager",
            f"Pod {pod_name} DELETED",
            "kcm.pod_removed",
            pod.owner,
            pod_name,
            succeeded,
            after=after,
        )
        # A deleted pod frees room: kube-scheduler moves unschedulable pods back (§2.5).
        self._watch(
            "kube-scheduler",
            f"Pod {pod_name} DELETED",
            "scheduler.cluster_event",
            EVENT_POD_DELETE,
            after=after,
        )

    # -- Nodes ----------------------------------------------------------------------------------

    def patch_node(
        self, src: str, node: str, label: str, changes: dict[str, Any], reply: str | None = None
    ) -> None:
        """Change a Node object: ``unschedulable``, ``ready_condition`` and/or ``condition_taints``.

        With ``reply``, the API's answer goes back to ``src`` and runs ``reply(node)``.
        """
        self.p.send(
            src,
            "api-server",
            f"PATCH Node {node} ({label})",
            "api.node_patched",
            node,
            changes,
            src,
            reply,
            cell=node,
        )

    def node_patched(self, node_name: str, changes: dict[str, Any], src: str, reply: str | None) -> None:
        node = self.p.nodes[node_name]
        for key, value in changes.items():
            setattr(node, key, value)
        self.p.emit_node(node)
        after = self._persist(f"/minions/{node_name}", cell=node_name)
        if reply is not None:
            self.p.send(
                "api-server",
                src,
                f"200 Node {node_name} patched",
                reply,
                node_name,
                delay=after + self.p.latency(),
                cell=node_name,
            )
        # kube-scheduler's cache follows the node; the change is a NodeUpdate cluster event (§2.5).
        self._watch(
            "kube-scheduler",
            f"Node {node_name} MODIFIED",
            "scheduler.node_updated",
            node_name,
            after=after,
            cell=node_name,
        )

    # -- The rootfs patcher's StatefulSet updates (§1.10) ---------------------------------------

    def relabel_statefulset(self, src: str, name: str, version: str, reply: str) -> None:
        sts = self.p.statefulsets.get(name)
        self.p.send(
            src,
            "api-server",
            f"PUT StatefulSet {name} (label rootfs-version={version} on the set and its pod template)",
            "api.sts_relabelled",
            src,
            name,
            version,
            reply,
            app=sts.app if sts else None,
        )

    def sts_relabelled(self, src: str, name: str, version: str, reply: str) -> None:
        """A changed pod template is a new update revision; the controller starts rolling (§3.5)."""
        sts = self.p.statefulsets.get(name)
        ok = sts is not None
        if sts is not None and sts.rootfs_version != version:
            sts.rootfs_version = version
            sts.revision += 1
            after = self._persist(
                f"/registry/statefulsets/{name} (template: revision {sts.revision})", app=sts.app
            )
            self._watch(
                "controller-manager",
                f"StatefulSet {name} MODIFIED (new revision {sts.revision})",
                "kcm.sts_sync",
                name,
                after=after,
                app=sts.app,
            )
        self.p.send(
            "api-server",
            src,
            f"200 StatefulSet {name} updated" if ok else f"404 StatefulSet {name} not found",
            reply,
            name,
            ok,
            delay=self.p.duration(self.p.timing.api_latency_s) + self.p.latency(),
        )
