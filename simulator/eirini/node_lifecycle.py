"""Nodes going down and coming back, and the node lifecycle controller that notices (§3.7).

A node that fails (or reboots after a drain) stops at once: its containers are gone, but its
kubelet no longer posts anything, so the API still shows its pods Running and Ready and the route
collector keeps re-registering them with gorouter (whose 120 s prune therefore never fires).

The node lifecycle controller in kube-controller-manager checks every 5 s. Once 40 s have
passed since the node's last heartbeat (the kubelet posts every 10 s from its start), it sets
the node ``Ready=Unknown``, taints it ``node.kubernetes.io/unreachable`` NoSchedule and NoExecute
(kube-scheduler skips it from then on) and sets its pods ``Ready=False``, so the route collector
unregisters them. 300 s later their NoExecute toleration runs out and the taint manager deletes
them: they get a deletionTimestamp, but with no kubelet to confirm, the pod objects stay, and a
StatefulSet does not replace a pod that still exists (2019; §3.7 step 4). cfviz models no
force-delete, Node deletion or out-of-service taint, so they stay until the node returns.

When it returns, the kubelet posts ``Ready=True`` and syncs its pods (terminating ones are
confirmed gone, so their StatefulSets recreate them; the others start again in place); at its
next check the controller lifts the taints.

Heartbeats are not drawn as messages (every node every 10 s would swamp the log); the
controller's reactions are.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulator.eirini.constants import (
    NODE_MONITOR_GRACE_PERIOD_S,
    NODE_MONITOR_PERIOD_S,
    NODE_STATUS_UPDATE_FREQUENCY_S,
)
from simulator.eirini.state import NODE_READY, NODE_UNKNOWN
from simulator.engine import Engine
from simulator.kubernetes.cluster import Taint
from simulator.kubernetes.constants import (
    DEFAULT_TOLERATION_SECONDS,
    NO_EXECUTE,
    NO_SCHEDULE,
    TAINT_UNREACHABLE,
)

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

UNREACHABLE_TAINTS = (Taint(TAINT_UNREACHABLE, "", NO_SCHEDULE), Taint(TAINT_UNREACHABLE, "", NO_EXECUTE))
# Float slack for "a whole number of periods" (times are sums of floats).
_EPSILON = 1e-9


def last_heartbeat(kubelet_started_at: float, went_down_at: float) -> float:
    """The kubelet's last node status post before it went down: every 10 s from its start."""
    periods = math.floor((went_down_at - kubelet_started_at) / NODE_STATUS_UPDATE_FREQUENCY_S + _EPSILON)
    return kubelet_started_at + max(periods, 0) * NODE_STATUS_UPDATE_FREQUENCY_S


def next_monitor_tick(after: float) -> float:
    """The node lifecycle controller's first check strictly after ``after`` (every 5 s from 0)."""
    return (math.floor(after / NODE_MONITOR_PERIOD_S + _EPSILON) + 1) * NODE_MONITOR_PERIOD_S


def not_ready_at(heartbeat: float) -> float:
    """When the controller marks the node Ready=Unknown: its first check more than 40 s after
    the last heartbeat (``probeTimestamp + gracePeriod`` is before now)."""
    return next_monitor_tick(heartbeat + NODE_MONITOR_GRACE_PERIOD_S)


def taint_text(taint: Taint) -> str:
    return f"{taint.key}:{taint.effect}"


class NodeLifecycle:
    """The machines themselves and kube-controller-manager's node lifecycle controller."""

    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in ("check", "evict", "come_back", "status_posted", "mark_ready"):
            engine.register(f"nodes.{name}", getattr(self, name))

    # -- the machine ----------------------------------------------------------------------------

    def go_down(self, node_name: str, failed: bool) -> None:
        """The node stops now (``failed``: without warning; otherwise a planned reboot)."""
        node = self.p.nodes[node_name]
        if node.down:
            return
        node.down = True
        node.failed = failed
        node.boot += 1
        self.p.kubelet.node_lost(node_name)
        self.p.emit_node(node)
        for pod in self.p.pods_on(node_name):
            self.p.emit_pod(pod)
        heartbeat = last_heartbeat(node.kubelet_started_at, self.p.now)
        check_at = not_ready_at(heartbeat)
        self.p.engine.schedule(max(0.0, check_at - self.p.now), "nodes.check", node_name, node.boot)

    def come_back(self, node_name: str) -> None:
        """The machine is up again: its kubelet starts, posts Ready and syncs its pods."""
        node = self.p.nodes[node_name]
        if not node.down:
            return
        node.down = False
        node.failed = False
        node.kubelet_started_at = self.p.now
        self.p.emit_node(node)
        self.p.send(
            f"kubelet@{node_name}",
            "api-server",
            f"PATCH Node {node_name}/status (Ready=True: kubelet is posting ready status)",
            "nodes.status_posted",
            node_name,
            node.boot,
            cell=node_name,
        )
        self.p.kubelet.node_restarted(node_name)

    # -- the node lifecycle controller ------------------------------------------------------------

    def check(self, node_name: str, boot: int) -> None:
        """40 s without a heartbeat: Ready=Unknown, unreachable taints, its pods Ready=False."""
        node = self.p.nodes[node_name]
        if node.boot != boot or not node.down or node.ready_condition != NODE_READY:
            return
        self.p.api.patch_node(
            "controller-manager",
            node_name,
            "Ready=Unknown: Kubelet stopped posting node status; taint "
            + ", ".join(taint_text(t) for t in UNREACHABLE_TAINTS),
            {"ready_condition": NODE_UNKNOWN, "condition_taints": UNREACHABLE_TAINTS},
        )
        for pod in sorted(self.p.pods_on(node_name), key=lambda p: p.name):
            # MarkPodsNotReady: only a change is written (a crash-looping pod is not Ready already).
            if pod.ready and not pod.deleting:
                self.p.api.mark_pod_not_ready("controller-manager", pod.name, "node unreachable")
        evict_at = self.p.now + DEFAULT_TOLERATION_SECONDS
        self.p.engine.schedule(DEFAULT_TOLERATION_SECONDS, "nodes.evict", node_name, boot)
        self.p.set_status(
            "controller-manager",
            f"node {node_name}: Ready=Unknown, tainted unreachable; evicting its pods at {evict_at:.0f} s",
        )

    def evict(self, node_name: str, boot: int) -> None:
        """The taint manager: the pods' 300 s toleration of the NoExecute taint has run out."""
        node = self.p.nodes[node_name]
        if node.boot != boot or not node.down or node.ready_condition != NODE_UNKNOWN:
            return
        pods = [p for p in sorted(self.p.pods_on(node_name), key=lambda p: p.name) if not p.deleting]
        for pod in pods:
            self.p.api.delete_pod(
                "controller-manager",
                pod.name,
                f"taint manager: {TAINT_UNREACHABLE}:{NO_EXECUTE} tolerated for {DEFAULT_TOLERATION_SECONDS} s",
            )
        self.p.set_status(
            "controller-manager",
            f"node {node_name}: deleted {len(pods)} pod(s); they stay Terminating until its kubelet returns",
        )

    def status_posted(self, node_name: str, boot: int) -> None:
        """The kubelet's Ready status reached the API; the controller acts at its next check."""
        node = self.p.nodes[node_name]
        if node.boot != boot or node.down:
            return
        if node.ready_condition != NODE_READY or node.condition_taints:
            tick = next_monitor_tick(self.p.now)
            self.p.engine.schedule(tick - self.p.now, "nodes.mark_ready", node_name, boot)

    def mark_ready(self, node_name: str, boot: int) -> None:
        node = self.p.nodes[node_name]
        if node.boot != boot or node.down:
            return
        self.p.api.patch_node(
            "controller-manager",
            node_name,
            "Ready=True; remove taint " + ", ".join(taint_text(t) for t in UNREACHABLE_TAINTS),
            {"ready_condition": NODE_READY, "condition_taints": ()},
        )
        self.p.set_status("controller-manager", f"node {node_name}: Ready again")
