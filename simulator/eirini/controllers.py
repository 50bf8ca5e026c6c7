"""kube-controller-manager: the Job and StatefulSet controllers (§1.6, §3.5).

The StatefulSet controller keeps pods ``<set>-0 … <set>-(replicas-1)``. With Eirini's
``Parallel`` policy it does not wait for readiness, but (before Kubernetes 1.28) it still
created pods one API call after another, at the controller manager's 20 QPS; surplus ordinals
are deleted at once. A replacement for an ordinal is created only after the old pod is gone.
A changed pod template (the rootfs patcher's label) starts a RollingUpdate, one pod at a time
(:mod:`simulator.eirini.rolling_update`). A Job whose pod is terminating or removed before it
succeeded (an eviction, a node that failed or restarted) gets a new pod, under a new name.

The node lifecycle controller, also in kube-controller-manager, is :mod:`simulator.eirini.node_lifecycle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.eirini.constants import KCM_API_QPS
from simulator.eirini.rolling_update import DELETE, DONE, OrdinalState, rolling_update_step
from simulator.eirini.state import RUNNING, Pod, StatefulSet
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

STAGING_IMAGE = "eirini/recipe-downloader, recipe-executor, recipe-uploader"


class ControllerManager:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in ("job_added", "sts_sync", "create_next", "delete_pod", "pod_removed", "job_pod_gone"):
            engine.register(f"kcm.{name}", getattr(self, name))

    # -- Jobs ---------------------------------------------------------------------------------

    def job_added(self, name: str) -> None:
        job = self.p.jobs.get(name)
        if job is None:
            return
        suffix = self.p.new_guid()[:5]
        pod = Pod(
            name=f"{name}-{suffix}",
            owner=name,
            app=job.app,
            ordinal=-1,
            kind="staging",
            # The 2019 staging pod requests no resources (§1.6).
            cpu_millis=0,
            memory_mb=0,
            disk_mb=0,
            image=STAGING_IMAGE,
            uid=self.p.new_guid(),
            created_at=self.p.now,
        )
        job.pod = pod.name
        self.p.set_status("controller-manager", f"job {name}: creating its pod")
        self.p.api.create_pod("controller-manager", pod)

    # -- StatefulSets -------------------------------------------------------------------------

    def sts_sync(self, name: str) -> None:
        sts = self.p.statefulsets.get(name)
        if sts is None:
            return
        existing = {pod.ordinal: pod for pod in self.p.pods_of(name)}
        missing = [i for i in range(sts.replicas) if i not in existing and i not in sts.to_create]
        sts.to_create.extend(missing)
        sts.to_create = [i for i in sts.to_create if i < sts.replicas]
        # Parallel: every surplus pod is deleted at once, highest ordinal first.
        for ordinal in sorted((o for o in existing if o >= sts.replicas), reverse=True):
            if not existing[ordinal].deleting:
                self.p.api.delete_pod("controller-manager", existing[ordinal].name)
        if sts.to_create and not sts.creating:
            sts.creating = True
            self.p.engine.schedule(0.0, "kcm.create_next", name)
        if sts.rolling:
            self._roll(sts, existing)
            return
        self.p.set_status("controller-manager", f"statefulset {name}: {len(existing)}/{sts.replicas} pods")

    def _roll(self, sts: StatefulSet, existing: dict[int, Pod]) -> None:
        """One step of the RollingUpdate: delete the next old pod, or wait for the new one (§3.5)."""
        ordinals = {
            ordinal: OrdinalState(
                revision=pod.revision,
                terminating=pod.deleting,
                healthy=pod.phase == RUNNING and pod.ready and not pod.deleting,
            )
            for ordinal, pod in existing.items()
        }
        action, ordinal = rolling_update_step(ordinals, sts.replicas, sts.revision)
        if action == DONE:
            sts.current_revision = sts.revision
            self.p.set_status(
                "controller-manager", f"statefulset {sts.name}: rolled out revision {sts.revision}"
            )
            return
        updated = sum(1 for pod in existing.values() if pod.revision == sts.revision and not pod.deleting)
        if action == DELETE and ordinal is not None:
            self.p.api.delete_pod("controller-manager", existing[ordinal].name, "rolling update")
            doing = f"replacing {sts.app}/{ordinal}"
        else:
            doing = f"waiting for {sts.app}/{ordinal} to be Running and Ready"
        self.p.set_status(
            "controller-manager",
            f"statefulset {sts.name}: rolling update {updated}/{sts.replicas}, {doing}",
        )

    def create_next(self, name: str) -> None:
        sts = self.p.statefulsets.get(name)
        if sts is None:
            return
        if not sts.to_create:
            sts.creating = False
            return
        ordinal = sts.to_create.pop(0)
        pod = Pod(
            name=f"{name}-{ordinal}",
            owner=name,
            app=sts.app,
            ordinal=ordinal,
            kind="app",
            cpu_millis=sts.cpu_millis,
            memory_mb=sts.memory_mb,
            disk_mb=sts.disk_mb,
            image=sts.image,
            uid=self.p.new_guid(),
            created_at=self.p.now,
            # Partition 0: every ordinal is created from the update revision (§3.5).
            revision=sts.revision,
        )
        self.p.api.create_pod("controller-manager", pod)
        self.p.engine.schedule(1.0 / KCM_API_QPS, "kcm.create_next", name)

    def delete_pod(self, pod_name: str) -> None:
        self.p.api.delete_pod("controller-manager", pod_name)

    def pod_removed(self, owner: str, pod_name: str, succeeded: bool) -> None:
        if owner in self.p.statefulsets:
            self.sts_sync(owner)
        elif not succeeded:
            self.job_pod_gone(owner, pod_name)

    def job_pod_gone(self, owner: str, pod_name: str) -> None:
        """The Job's pod is terminating or removed before it succeeded: the Job makes another."""
        job = self.p.jobs.get(owner)
        if job is not None and job.pod == pod_name:
            self.p.set_status("controller-manager", f"job {owner}: its pod is gone, creating another")
            self.job_added(owner)
