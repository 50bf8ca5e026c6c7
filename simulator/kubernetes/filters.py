"""Which nodes may take a pod: the filter plugins (predicates) and the FailedScheduling message.

Plugins run in the profile's order and a node's check stops at the first plugin that rejects it
(§2.1; in 2019, ``alwaysCheckAllPredicates`` defaulted to false). One plugin may give several
reasons (NodeResourcesFit: every short resource; GeneralPredicates: resources and node selector).
When no node passes, the message counts every reason over every node, ``"<n> <reason>"``, sorted as
strings (``FitError.Error``)::

    0/3 nodes are available: 1 Insufficient memory, 2 node(s) were unschedulable.

Filtering uses real requests: a pod without requests passes every resource check but the pod count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.kubernetes.cluster import (
    NodeState,
    PodWork,
    Taint,
    node_labels,
    selector_matches,
    tolerated,
)
from simulator.kubernetes.constants import (
    CHECK_NODE_UNSCHEDULABLE,
    GENERAL_PREDICATES,
    NO_EXECUTE,
    NO_NODE_AVAILABLE_FORMAT,
    NO_SCHEDULE,
    NODE_AFFINITY,
    NODE_RESOURCES_FIT,
    NODE_UNSCHEDULABLE,
    POD_TOLERATES_NODE_TAINTS,
    POD_TOPOLOGY_SPREAD,
    REASON_INSUFFICIENT,
    REASON_LEGACY_NODE_SELECTOR,
    REASON_LEGACY_TAINTS,
    REASON_NODE_AFFINITY,
    REASON_TOO_MANY_PODS,
    REASON_UNSCHEDULABLE,
    REASON_UNTOLERATED_TAINT,
    RESOURCE_CPU,
    RESOURCE_EPHEMERAL_STORAGE,
    RESOURCE_MEMORY,
    RESOURCE_PODS,
    TAINT_TOLERATION,
    TAINT_UNSCHEDULABLE,
)
from simulator.kubernetes.profiles import KubeSchedulerSettings
from simulator.kubernetes.spreading import SpreadFilterState, spread_filter_reasons


@dataclass(slots=True)
class FilterResult:
    """Each plugin that ran on the node, in order, with its reasons (empty: passed)."""

    verdicts: dict[str, list[str]] = field(default_factory=dict)
    failed_plugin: str | None = None

    @property
    def passed(self) -> bool:
        return self.failed_plugin is None

    @property
    def reasons(self) -> list[str]:
        return [] if self.failed_plugin is None else self.verdicts[self.failed_plugin]


def unschedulable_reasons(node: NodeState, pod: PodWork) -> list[str]:
    """A cordoned node, unless the pod tolerates the ``unschedulable:NoSchedule`` taint (§3.6)."""
    if node.unschedulable and not tolerated(pod.tolerations, Taint(TAINT_UNSCHEDULABLE, "", NO_SCHEDULE)):
        return [REASON_UNSCHEDULABLE]
    return []


def _has_requests(pod: PodWork) -> bool:
    return pod.cpu_milli > 0 or pod.memory_mb > 0 or pod.ephemeral_mb > 0


def resource_fit_reasons(node: NodeState, pod: PodWork, legacy: bool) -> list[str]:
    """PodFitsResources (2019) / NodeResourcesFit: pod count, then cpu, memory, ephemeral storage.

    The framework checks a resource only if the pod requests it; 2019 checked all three as soon as
    the pod requested any (predicates.go), which differs only on an already overcommitted node.
    """
    reasons = []
    if node.pod_count + 1 > node.allocatable_pods:
        reasons.append(REASON_INSUFFICIENT.format(resource=RESOURCE_PODS) if legacy else REASON_TOO_MANY_PODS)
    if not _has_requests(pod):
        return reasons
    checks = (
        (RESOURCE_CPU, pod.cpu_milli, node.allocatable_cpu_milli - node.requested_cpu_milli),
        (RESOURCE_MEMORY, pod.memory_mb, node.allocatable_memory_mb - node.requested_memory_mb),
        (
            RESOURCE_EPHEMERAL_STORAGE,
            pod.ephemeral_mb,
            node.allocatable_ephemeral_mb - node.requested_ephemeral_mb,
        ),
    )
    for resource, wanted, free in checks:
        if (legacy or wanted > 0) and wanted > free:
            reasons.append(REASON_INSUFFICIENT.format(resource=resource))
    return reasons


def node_selector_reasons(node: NodeState, pod: PodWork, legacy: bool) -> list[str]:
    """MatchNodeSelector (2019) / NodeAffinity: every nodeSelector label must be on the node."""
    if selector_matches(pod.node_selector, node_labels(node)):
        return []
    return [REASON_LEGACY_NODE_SELECTOR if legacy else REASON_NODE_AFFINITY]


def untolerated_taint(node: NodeState, pod: PodWork) -> Taint | None:
    """The first NoSchedule or NoExecute taint, in the node's order, that the pod does not tolerate."""
    for taint in node.taints:
        if taint.effect in (NO_SCHEDULE, NO_EXECUTE) and not tolerated(pod.tolerations, taint):
            return taint
    return None


def taint_reasons(node: NodeState, pod: PodWork, legacy: bool) -> list[str]:
    """PodToleratesNodeTaints (2019, no details) / TaintToleration (names the taint)."""
    taint = untolerated_taint(node, pod)
    if taint is None:
        return []
    if legacy:
        return [REASON_LEGACY_TAINTS]
    return [REASON_UNTOLERATED_TAINT.format(key=taint.key, value=taint.value)]


def plugin_reasons(
    plugin: str, node: NodeState, pod: PodWork, settings: KubeSchedulerSettings, spread: SpreadFilterState
) -> list[str]:
    """One filter plugin's verdict on one node."""
    legacy = settings.legacy
    if plugin in (CHECK_NODE_UNSCHEDULABLE, NODE_UNSCHEDULABLE):
        return unschedulable_reasons(node, pod)
    if plugin == GENERAL_PREDICATES:
        # PodFitsResources first, then PodFitsHost, PodFitsHostPorts (no-ops here), PodMatchNodeSelector.
        return resource_fit_reasons(node, pod, legacy=True) + node_selector_reasons(node, pod, legacy=True)
    if plugin in (POD_TOLERATES_NODE_TAINTS, TAINT_TOLERATION):
        return taint_reasons(node, pod, legacy)
    if plugin == NODE_AFFINITY:
        return node_selector_reasons(node, pod, legacy)
    if plugin == NODE_RESOURCES_FIT:
        return resource_fit_reasons(node, pod, legacy)
    if plugin == POD_TOPOLOGY_SPREAD:
        return spread_filter_reasons(node, pod, spread)
    raise ValueError(f"unknown filter plugin {plugin!r}")


def filter_node(
    node: NodeState, pod: PodWork, settings: KubeSchedulerSettings, spread: SpreadFilterState | None = None
) -> FilterResult:
    """Run the profile's filter plugins on one node, stopping at the first that rejects it.

    ``spread`` is PodTopologySpread's PreFilter state for this cycle; without it, the pod's hard
    spread constraints see no existing pods.
    """
    spread = spread or SpreadFilterState()
    result = FilterResult()
    for plugin in settings.filters:
        reasons = plugin_reasons(plugin, node, pod, settings, spread)
        result.verdicts[plugin] = reasons
        if reasons:
            result.failed_plugin = plugin
            break
    return result


def fit_error(total_nodes: int, rejections: Iterable[list[str]]) -> str:
    """``FitError.Error``: how many nodes gave each reason, sorted as strings."""
    histogram = Counter(reason for reasons in rejections for reason in reasons)
    parts = sorted(f"{count} {reason}" for reason, count in histogram.items())
    return NO_NODE_AVAILABLE_FORMAT.format(total=total_nodes, reasons=", ".join(parts))
