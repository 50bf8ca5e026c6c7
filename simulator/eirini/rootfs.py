"""A new rootfs on Eirini (2019): helm upgrade, bits-service restart, the rootfs patcher (§1.10).

1. The operator runs ``helm upgrade`` with a new ``global.rootfs_version``. The bits Deployment
   restarts with the new ``eirinifs.tar`` (a new layer digest, so every node pulls it again; pods
   already running keep the old one), OPI's config names the new version for StatefulSets it
   creates from now on, and the Job ``rootfs-patcher-<version>-<revision>`` is created.
2. The Job's init container ``bits-waiter`` polls the bits Deployment every second until it is
   Ready; then ``rootfs-patcher`` LISTs the StatefulSets and, one after another, sets the label
   ``cloudfoundry.org/rootfs-version=<version>`` on each set and its pod template. It counts
   failures and does not retry.
3. Each changed template is a new revision, and every StatefulSet rolls (in parallel with the
   others) highest ordinal first, one pod at a time: delete, wait until gone, recreate, wait for
   Running and Ready (:mod:`simulator.eirini.controllers`, :mod:`simulator.eirini.rolling_update`).

The Job's own pod is not scheduled on the app nodes here: cfviz draws the Job as the
``rootfs-patcher`` component. The controller manager's 5 concurrent StatefulSet syncs
(``--concurrent-statefulset-syncs``) never bind: a sync takes no simulated time, and what paces
each set is its own pods' termination, pulls, starts and probes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.eirini.constants import BITS_WAITER_POLL_S, ROOTFS_VERSION_LABEL
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

PATCHER = "rootfs-patcher"


class RootfsRollout:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform
        # helm's release revision: the install is 1, so the first upgrade is 2.
        self.release_revision = 1
        self.job: str | None = None
        self.version = ""
        self.to_relabel: list[str] = []
        self.total = 0
        self.relabelled_count = 0
        self.failed = 0
        self.running = False

    def register(self, engine: Engine) -> None:
        for name in ("upgraded", "job_started", "wait_for_bits", "relabelled"):
            engine.register(f"rootfs.{name}", getattr(self, name))

    def upgrade(self, version: str) -> None:
        """The operator's ``helm upgrade`` with the new rootfs version."""
        self.release_revision += 1
        job = f"rootfs-patcher-{version}-{self.release_revision}"
        self.job = job
        self.version = version
        self.running = True
        self.p.operator.helm_upgrade = version
        self.p.operator.status()
        self.p.send(
            "operator",
            "api-server",
            f"helm upgrade eirini (global.rootfs_version: {version}): PATCH Deployment bits, "
            f"ConfigMap opi, POST Job {job}",
            "rootfs.upgraded",
            version,
            job,
        )

    def upgraded(self, version: str, job: str) -> None:
        """The API server has the new objects; the bits pod restarts and the Job's pod starts."""
        self.p.rootfs_version = version
        after = self.p.duration(self.p.timing.api_latency_s) + self.p.duration(self.p.timing.db_latency_s) * 2
        self.p.note("api-server", "etcd", f"PUT /registry/deployments/bits, /registry/jobs/{job}")
        self.p.send(
            "api-server",
            "registry",
            f"watch: Deployment bits MODIFIED (eirinifs {version}): new bits-service pod",
            "registry.restart",
            version,
            delay=after + self.p.latency(),
        )
        self.p.send(
            "api-server",
            PATCHER,
            f"watch: Job {job} ADDED: its pod starts (init container bits-waiter)",
            "rootfs.job_started",
            job,
            delay=after + self.p.latency() + self.p.duration(self.p.scenario.eirini.container_start_s),
        )

    def job_started(self, job: str) -> None:
        if job != self.job:
            return
        self.p.set_status(PATCHER, "bits-waiter: waiting for the bits Deployment to be Ready")
        self.wait_for_bits(job)

    def wait_for_bits(self, job: str) -> None:
        """bits-waiter polls every second (``util.PollUntilTrue``)."""
        if job != self.job:
            return
        self.p.note(PATCHER, "api-server", "GET Deployment bits (bits-waiter: Ready?)")
        if not self.p.registry.ready:
            self.p.engine.schedule(BITS_WAITER_POLL_S, "rootfs.wait_for_bits", job)
            return
        self.to_relabel = sorted(self.p.statefulsets)
        self.total = len(self.to_relabel)
        self.relabelled_count = 0
        self.failed = 0
        self.p.note(PATCHER, "api-server", f"GET StatefulSets (namespace eirini): {self.total}")
        self._next()

    def _next(self) -> None:
        if not self.to_relabel:
            self.running = False
            self.p.set_status(
                PATCHER,
                f"done: relabelled {self.relabelled_count}/{self.total} StatefulSets"
                + (f", {self.failed} failed" if self.failed else "")
                + f" ({ROOTFS_VERSION_LABEL}={self.version})",
            )
            self.p.operator.helm_upgrade = None
            self.p.operator.status()
            return
        self.p.set_status(PATCHER, f"relabelling {self.relabelled_count + 1}/{self.total} StatefulSets")
        self.p.api.relabel_statefulset(PATCHER, self.to_relabel[0], self.version, "rootfs.relabelled")

    def relabelled(self, name: str, ok: bool) -> None:
        if not self.running or not self.to_relabel or self.to_relabel[0] != name:
            return
        self.to_relabel.pop(0)
        if ok:
            self.relabelled_count += 1
        else:
            self.failed += 1
        self._next()
