"""The cluster operator at a terminal (component ``operator``, shown as kubectl): ``kubectl drain``.

Eirini had no evacuation of its own; node maintenance is plain Kubernetes (§1.11, §3.6):

1. cordon: ``spec.unschedulable=true``, so kube-scheduler's NodeUnschedulable filter skips the node;
2. evict every pod on it at once through the Eviction API. A PodDisruptionBudget may refuse one
   (429): kubectl retries it every 5 s;
3. each evicted pod terminates gracefully (at most 30 s); only once it is gone does its
   StatefulSet recreate the ordinal, on another node since this one is cordoned. kubectl waits
   until every evicted pod is gone, polling every second;
4. the node is rebooted for maintenance (``timing.cell_restart_s``) and then uncordoned.

The operator also runs ``helm upgrade`` for a new rootfs (:mod:`simulator.eirini.rootfs`).

Unlike Diego's evacuation (replacement first, then stop), every evicted instance is down from
its eviction until its replacement is Ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulator.eirini.constants import DRAIN_POLL_INTERVAL_S, EVICTION_RETRY_S
from simulator.eirini.disruption import TOO_MANY_REQUESTS
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

OPERATOR = "operator"
CORDONING = "cordoning"
EVICTING = "evicting"
REBOOTING = "rebooting"
UNCORDONING = "uncordoning"


@dataclass(slots=True)
class Drain:
    node: str
    step: str = CORDONING
    # Pods (name → uid) whose eviction was not accepted yet, and evicted pods kubectl waits to
    # see gone: gone, or replaced by a new pod of the same name (another uid), as waitForDelete checks.
    to_evict: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)
    refusals: int = 0
    polling: bool = False


class Operator:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform
        self.drains: dict[str, Drain] = {}
        # The rootfs version of a helm upgrade whose patcher Job is still running (rootfs.py).
        self.helm_upgrade: str | None = None

    def register(self, engine: Engine) -> None:
        for name in ("cordoned", "evict", "evicted", "poll", "rebooted", "uncordoned"):
            engine.register(f"operator.{name}", getattr(self, name))

    @property
    def busy(self) -> bool:
        return bool(self.drains)

    # -- kubectl drain ------------------------------------------------------------------------

    def drain(self, node: str) -> None:
        if node in self.drains:
            return
        self.drains[node] = Drain(node)
        self.status()
        self.p.api.patch_node(
            OPERATOR,
            node,
            "spec.unschedulable: true (kubectl cordon)",
            {"unschedulable": True},
            reply="operator.cordoned",
        )

    def cordoned(self, node: str) -> None:
        drain = self.drains[node]
        pods = sorted(self.p.pods_on(node), key=lambda pod: pod.name)
        self.p.note(
            OPERATOR, "api-server", f"GET Pods (fieldSelector spec.nodeName={node}): {len(pods)}", cell=node
        )
        drain.step = EVICTING
        drain.to_evict = {pod.name: pod.uid for pod in pods}
        for pod in pods:
            self.evict(node, pod.name)
        self._check_done(drain)

    def evict(self, node: str, pod_name: str) -> None:
        drain = self.drains.get(node)
        if drain is None or pod_name not in drain.to_evict:
            return
        self.p.evictions.evict(OPERATOR, pod_name, "operator.evicted", node, pod_name)

    def evicted(self, node: str, pod_name: str, code: int) -> None:
        drain = self.drains[node]
        if code == TOO_MANY_REQUESTS:
            # kubectl: "error when evicting pod … (will retry after 5s): Cannot evict pod as it
            # would violate the pod's disruption budget."
            drain.refusals += 1
            self.p.engine.schedule(EVICTION_RETRY_S, "operator.evict", node, pod_name)
            self.status()
            return
        uid = drain.to_evict.pop(pod_name)
        if code != 404:
            drain.waiting[pod_name] = uid
        if drain.waiting and not drain.polling:
            drain.polling = True
            self.p.engine.schedule(DRAIN_POLL_INTERVAL_S, "operator.poll", node)
        self._check_done(drain)

    def poll(self, node: str) -> None:
        """kubectl's waitForDelete: are the evicted pods gone yet?"""
        drain = self.drains[node]
        self.p.note(
            OPERATOR,
            "api-server",
            f"GET Pods {', '.join(drain.waiting)} (waiting for deletion)",
            cell=node,
        )
        drain.waiting = {
            name: uid
            for name, uid in drain.waiting.items()
            if name in self.p.pods and self.p.pods[name].uid == uid
        }
        if drain.waiting:
            self.p.engine.schedule(DRAIN_POLL_INTERVAL_S, "operator.poll", node)
        else:
            drain.polling = False
        self._check_done(drain)

    def _check_done(self, drain: Drain) -> None:
        if drain.step != EVICTING or drain.to_evict or drain.waiting:
            self.status()
            return
        drain.step = REBOOTING
        self.p.note(
            OPERATOR,
            f"kubelet@{drain.node}",
            f"node {drain.node} drained; reboot for maintenance",
            cell=drain.node,
        )
        self.p.lifecycle.go_down(drain.node, failed=False)
        self.p.engine.schedule(self.p.duration(self.p.timing.cell_restart_s), "operator.rebooted", drain.node)
        self.status()

    def rebooted(self, node: str) -> None:
        drain = self.drains[node]
        self.p.lifecycle.come_back(node)
        drain.step = UNCORDONING
        self.p.api.patch_node(
            OPERATOR,
            node,
            "spec.unschedulable: false (kubectl uncordon)",
            {"unschedulable": False},
            reply="operator.uncordoned",
        )
        self.status()

    def uncordoned(self, node: str) -> None:
        self.drains.pop(node, None)
        self.status()

    def status(self) -> None:
        texts = []
        if self.helm_upgrade is not None:
            texts.append(f"helm upgrade eirini (global.rootfs_version: {self.helm_upgrade})")
        for node, drain in sorted(self.drains.items()):
            if drain.step == EVICTING:
                left = len(drain.to_evict) + len(drain.waiting)
                refused = f", {drain.refusals} eviction(s) refused by a PDB" if drain.refusals else ""
                texts.append(f"draining {node}: {left} pods left{refused}")
            elif drain.step == REBOOTING:
                texts.append(f"{node} drained: rebooting")
            else:
                texts.append(f"{drain.step} {node}")
        self.p.set_status(OPERATOR, "; ".join(texts) or "idle")
