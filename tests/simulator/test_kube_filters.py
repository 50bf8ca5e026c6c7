"""Which nodes may take a pod, and the FailedScheduling message when none may (§2.1, §2.2, §2.6).

Reason texts are Kubernetes' own: the framework's plugins and, for ``legacy-2019``, the 2019
predicates (predicates/error.go). Eirini reads "Insufficient memory" out of that message (§1.5).
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from simulator.kubernetes.cluster import (
    NodeState,
    PodOnNode,
    PodWork,
    SpreadConstraint,
    Taint,
    Toleration,
    statefulset_pod,
)
from simulator.kubernetes.filters import filter_node, fit_error
from simulator.kubernetes.profiles import FRAMEWORK, LEGACY, KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState
from simulator.kubernetes.scheduler import KubePlacement, schedule_pod
from simulator.kubernetes.spreading import spread_filter_state

GPU_TAINT = Taint("dedicated", "gpu", "NoSchedule")


def node(name: str = "n", zone: str = "z1", **fields: object) -> NodeState:
    """4000m, 16000 MB, 100,000 MB of ephemeral storage, 110 pods, empty."""
    return NodeState(name, zone, 4000, 16000, 100_000, **fields)  # type: ignore[arg-type]


def web(memory: int = 1024, cpu: int = 120, disk: int = 2048, **fields: object) -> PodWork:
    return PodWork("web-0", "web", 0, cpu_milli=cpu, memory_mb=memory, ephemeral_mb=disk, **fields)  # type: ignore[arg-type]


def place(nodes: list[NodeState], pod: PodWork, settings: KubeSchedulerSettings) -> KubePlacement:
    return schedule_pod(nodes, pod, settings, SamplingState(), random.Random(0))


# --- one node, one plugin -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "plugin"), [(LEGACY, "CheckNodeUnschedulable"), (FRAMEWORK, "NodeUnschedulable")]
)
def test_a_cordoned_node_is_unschedulable(settings: KubeSchedulerSettings, plugin: str) -> None:
    """``spec.unschedulable`` rejects the node with "node(s) were unschedulable" in both eras."""
    result = filter_node(node(unschedulable=True), web(), settings)

    assert result.failed_plugin == plugin
    assert result.reasons == ["node(s) were unschedulable"]


def test_tolerating_the_unschedulable_taint_lets_a_pod_onto_a_cordoned_node() -> None:
    """A toleration for node.kubernetes.io/unschedulable:NoSchedule also covers the cordon flag."""
    tolerant = web(
        tolerations=(Toleration("node.kubernetes.io/unschedulable", "Exists", effect="NoSchedule"),)
    )

    assert filter_node(node(unschedulable=True), tolerant, FRAMEWORK).passed


@pytest.mark.parametrize("settings", [LEGACY, FRAMEWORK])
def test_a_node_without_enough_memory_says_insufficient_memory(settings: KubeSchedulerSettings) -> None:
    """16000 MB allocatable, 15000 requested: a 1024 MB pod does not fit (1000 < 1024)."""
    result = filter_node(node(requested_memory_mb=15000), web(memory=1024), settings)

    assert result.reasons == ["Insufficient memory"]


def test_a_pod_that_exactly_fills_the_node_fits() -> None:
    """Requests equal to what is free pass: the check is request > allocatable − requested."""
    full = node(requested_cpu_milli=3880, requested_memory_mb=14976, requested_ephemeral_mb=97952)

    # 4000 − 3880 = 120m, 16000 − 14976 = 1024 MB, 100,000 − 97,952 = 2048 MB: exactly the pod.
    assert filter_node(full, web(), FRAMEWORK).passed
    assert filter_node(full, web(), LEGACY).passed


def test_every_short_resource_is_a_reason_in_cpu_memory_disk_order() -> None:
    """NodeResourcesFit lists each insufficient resource, in the order it checks them."""
    tight = node(requested_cpu_milli=4000, requested_memory_mb=16000, requested_ephemeral_mb=100_000)

    result = filter_node(tight, web(), FRAMEWORK)

    assert result.failed_plugin == "NodeResourcesFit"
    assert result.reasons == ["Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage"]


def test_the_ephemeral_storage_request_filters_nodes() -> None:
    """Eirini's disk quota becomes an ephemeral-storage request (§1.3), which the fit checks (§2.6)."""
    result = filter_node(node(requested_ephemeral_mb=99_000), web(disk=2048), FRAMEWORK)

    assert result.reasons == ["Insufficient ephemeral-storage"]


@pytest.mark.parametrize(
    ("settings", "reason"), [(LEGACY, "Insufficient pods"), (FRAMEWORK, "Too many pods")]
)
def test_a_node_at_its_pod_limit_rejects_even_a_pod_without_requests(
    settings: KubeSchedulerSettings, reason: str
) -> None:
    """The pod count is checked for every pod; resources only for a pod that requests something."""
    full = node(pod_count=110, requested_cpu_milli=4000, requested_memory_mb=16000)
    best_effort = web(memory=0, cpu=0, disk=0)

    assert filter_node(full, best_effort, settings).reasons == [reason]


def test_a_pod_without_requests_passes_the_resource_checks_on_a_full_node() -> None:
    """Filtering uses real requests; the 100m / 200 MiB defaults are for scoring only (§2.3)."""
    full = node(requested_cpu_milli=4000, requested_memory_mb=16000)

    assert filter_node(full, web(memory=0, cpu=0, disk=0), FRAMEWORK).passed


def test_an_untolerated_no_schedule_taint_is_named_in_the_framework() -> None:
    """TaintToleration names the first untolerated NoSchedule/NoExecute taint as {key: value}."""
    result = filter_node(node(taints=(GPU_TAINT,)), web(), FRAMEWORK)

    assert result.failed_plugin == "TaintToleration"
    assert result.reasons == ["node(s) had untolerated taint {dedicated: gpu}"]


def test_the_2019_taint_predicate_does_not_name_the_taint() -> None:
    """PodToleratesNodeTaints said only that some taint was not tolerated."""
    result = filter_node(node(taints=(GPU_TAINT,)), web(), LEGACY)

    assert result.failed_plugin == "PodToleratesNodeTaints"
    assert result.reasons == ["node(s) had taints that the pod didn't tolerate"]


def test_a_not_ready_node_is_filtered_by_its_no_schedule_taint_despite_the_default_tolerations() -> None:
    """Pods tolerate not-ready:NoExecute for 300 s (§3.7) but not not-ready:NoSchedule."""
    not_ready = node(
        taints=(
            Taint("node.kubernetes.io/not-ready", "", "NoExecute"),
            Taint("node.kubernetes.io/not-ready", "", "NoSchedule"),
        )
    )

    # The NoExecute taint comes first but is tolerated; the empty value prints as "{key: }".
    assert filter_node(not_ready, web(), FRAMEWORK).reasons == [
        "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
    ]


def test_prefer_no_schedule_taints_do_not_filter() -> None:
    """PreferNoSchedule only lowers the TaintToleration score."""
    assert filter_node(node(taints=(Taint("spot", "yes", "PreferNoSchedule"),)), web(), FRAMEWORK).passed


def test_a_matching_toleration_lets_the_pod_onto_a_tainted_node() -> None:
    """Equal on key and value, or Exists on the key, tolerates the taint."""
    equal = web(tolerations=(Toleration("dedicated", "Equal", "gpu", "NoSchedule"),))
    exists = web(tolerations=(Toleration("dedicated", "Exists"),))
    wrong_value = web(tolerations=(Toleration("dedicated", "Equal", "cpu", "NoSchedule"),))

    tainted = node(taints=(GPU_TAINT,))
    assert filter_node(tainted, equal, FRAMEWORK).passed
    assert filter_node(tainted, exists, FRAMEWORK).passed
    assert not filter_node(tainted, wrong_value, FRAMEWORK).passed


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (LEGACY, "node(s) didn't match node selector"),
        (FRAMEWORK, "node(s) didn't match Pod's node affinity/selector"),
    ],
)
def test_a_node_selector_mismatch_has_each_eras_text(settings: KubeSchedulerSettings, reason: str) -> None:
    """Every nodeSelector label must be on the node, with the same value."""
    picky = web(node_selector={"disk": "ssd"})

    assert filter_node(node(labels={"disk": "hdd"}), picky, settings).reasons == [reason]
    assert filter_node(node(labels={"disk": "ssd"}), picky, settings).passed


def test_the_node_selector_can_name_the_zone_label() -> None:
    """Nodes carry topology.kubernetes.io/zone and kubernetes.io/hostname labels."""
    zone_one = web(node_selector={"topology.kubernetes.io/zone": "z1"})

    assert filter_node(node(zone="z1"), zone_one, FRAMEWORK).passed
    assert not filter_node(node(zone="z2"), zone_one, FRAMEWORK).passed


# --- order of the plugins -------------------------------------------------------------------------


def test_the_framework_stops_at_the_first_rejecting_plugin() -> None:
    """A cordoned, tainted, full node reports only NodeUnschedulable; the others never ran."""
    awful = node(unschedulable=True, taints=(GPU_TAINT,), requested_memory_mb=16000)

    result = filter_node(awful, web(), FRAMEWORK)

    assert result.verdicts == {"NodeUnschedulable": ["node(s) were unschedulable"]}


def test_the_framework_checks_taints_before_resources() -> None:
    """TaintToleration runs before NodeResourcesFit in the default profile."""
    result = filter_node(node(taints=(GPU_TAINT,), requested_memory_mb=16000), web(), FRAMEWORK)

    assert list(result.verdicts) == ["NodeUnschedulable", "TaintToleration"]
    assert result.failed_plugin == "TaintToleration"


def test_2019_checked_resources_and_selector_before_taints() -> None:
    """GeneralPredicates (resources, then node selector) came before PodToleratesNodeTaints."""
    result = filter_node(
        node(taints=(GPU_TAINT,), requested_memory_mb=16000), web(node_selector={"disk": "ssd"}), LEGACY
    )

    assert result.failed_plugin == "GeneralPredicates"
    assert result.reasons == ["Insufficient memory", "node(s) didn't match node selector"]


def test_a_passing_node_shows_every_plugin_as_passed() -> None:
    """Each plugin that ran appears with no reasons."""
    result = filter_node(node(), web(), FRAMEWORK)

    assert result.verdicts == {
        "NodeUnschedulable": [],
        "TaintToleration": [],
        "NodeAffinity": [],
        "NodeResourcesFit": [],
        "PodTopologySpread": [],
    }


# --- the FailedScheduling message -----------------------------------------------------------------


def test_the_message_counts_reasons_per_node_sorted_as_strings() -> None:
    """0/3: one node short of memory, two tainted (the example of the issue)."""
    nodes = [
        node("a", requested_memory_mb=16000),
        node("b", taints=(GPU_TAINT,)),
        node("c", taints=(GPU_TAINT,)),
    ]

    placement = place(nodes, web(), FRAMEWORK)

    assert placement.winner is None
    assert placement.error == (
        "0/3 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint {dedicated: gpu}."
    )
    assert [c.verdict for c in placement.candidates] == [
        "NodeResourcesFit",
        "TaintToleration",
        "TaintToleration",
    ]


def test_the_2019_message_uses_the_2019_texts() -> None:
    """Same cluster under legacy-2019."""
    nodes = [
        node("a", requested_memory_mb=16000),
        node("b", taints=(GPU_TAINT,)),
        node("c", taints=(GPU_TAINT,)),
    ]

    placement = place(nodes, web(), LEGACY)

    assert (
        placement.error
        == "0/3 nodes are available: 1 Insufficient memory, 2 node(s) had taints that the pod didn't tolerate."
    )


def test_ten_sorts_before_two_because_the_histogram_is_sorted_as_text() -> None:
    """``sort.Strings`` on "<count> <reason>": "10 node(s)…" < "2 Insufficient…"."""
    nodes = [node(f"c{i}", unschedulable=True) for i in range(10)]
    nodes += [node("f1", requested_memory_mb=16000), node("f2", requested_memory_mb=16000)]

    placement = place(nodes, web(), FRAMEWORK)

    assert (
        placement.error == "0/12 nodes are available: 10 node(s) were unschedulable, 2 Insufficient memory."
    )


def test_each_reason_of_a_node_counts_once() -> None:
    """A node short of cpu and memory adds one to each."""
    assert fit_error(2, [["Insufficient cpu", "Insufficient memory"], ["Insufficient memory"]]) == (
        "0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory."
    )


def test_a_cluster_without_nodes_has_its_own_error() -> None:
    """No FitError at all: "no nodes available to schedule pods"."""
    assert place([], web(), FRAMEWORK).error == "no nodes available to schedule pods"


def test_a_failed_placement_changes_no_node() -> None:
    """Nothing is assumed when no node is feasible."""
    nodes = [node("a", requested_memory_mb=16000)]

    place(nodes, web(), FRAMEWORK)

    assert nodes[0].pod_count == 0 and nodes[0].requested_memory_mb == 16000 and nodes[0].pods == []


# --- PodTopologySpread as a filter ----------------------------------------------------------------


def zone_spread(max_skew: int = 1) -> PodWork:
    """web-1 with a hard zone constraint over the web StatefulSet's pods."""
    pod = statefulset_pod("web", 1, memory_mb=256)
    constraint = SpreadConstraint(
        max_skew, "topology.kubernetes.io/zone", "DoNotSchedule", dict(pod.owner_selector)
    )
    return replace(pod, spread_constraints=(constraint,))


def test_a_hard_zone_constraint_rejects_the_zone_that_would_exceed_max_skew() -> None:
    """skew = matching pods in the node's zone + 1 (the pod itself) − the least loaded zone's count."""
    labels = statefulset_pod("web", 0).labels
    nodes = [node("a", "z1", pods=[PodOnNode("web-0", labels)]), node("b", "z2")]
    pod = zone_spread(max_skew=1)
    state = spread_filter_state(nodes, pod)

    # z1: 1 + 1 − 0 = 2 > 1: rejected. z2: 0 + 1 − 0 = 1: fits.
    assert filter_node(nodes[0], pod, FRAMEWORK, state).reasons == [
        "node(s) didn't match pod topology spread constraints"
    ]
    assert filter_node(nodes[1], pod, FRAMEWORK, state).passed


def test_a_node_without_the_constrained_label_is_rejected_as_missing_it() -> None:
    """A DoNotSchedule constraint needs its topology key on the node."""
    pod = zone_spread()
    zoneless = node("x", zone="")

    result = filter_node(zoneless, pod, FRAMEWORK, spread_filter_state([zoneless], pod))

    assert result.reasons == ["node(s) didn't match pod topology spread constraints (missing required label)"]


def test_2019_ignores_spread_constraints() -> None:
    """EvenPodsSpread was an alpha gate, off by default, in v1.16: no such predicate ran."""
    labels = statefulset_pod("web", 0).labels
    crowded = node("a", "z1", pods=[PodOnNode("web-0", labels)])

    assert filter_node(crowded, zone_spread(), LEGACY).passed


def test_the_statefulset_system_default_spreading_never_filters() -> None:
    """The defaults are ScheduleAnyway: a node already full of the app's pods stays feasible."""
    labels = statefulset_pod("web", 0).labels
    crowded = node("a", pods=[PodOnNode(f"web-{i}", labels) for i in range(20)])
    pod = statefulset_pod("web", 20, memory_mb=256)

    assert filter_node(crowded, pod, FRAMEWORK, spread_filter_state([crowded], pod)).passed
