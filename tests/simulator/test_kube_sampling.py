"""How many nodes a scheduling cycle looks at, and where its scan starts (kubernetes-eirini.md §2.4).

numFeasibleNodesToFind(n): all nodes if n < 100; otherwise max(100, n × p / 100) with the adaptive
p = 50 − n/125 (integer division), floored at 5, unless percentageOfNodesToScore fixes p.
"""

from __future__ import annotations

import random

import pytest

from simulator.kubernetes.cluster import NodeState, PodWork
from simulator.kubernetes.profiles import FRAMEWORK, LEGACY, KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState, adaptive_percentage, nodes_to_score, scan_order
from simulator.kubernetes.scheduler import schedule_pod


def node(name: str, zone: str = "z1", **fields: object) -> NodeState:
    return NodeState(name, zone, 4000, 16000, 100_000, **fields)  # type: ignore[arg-type]


def cluster(size: int) -> list[NodeState]:
    """``size`` identical empty nodes in one zone, so scan order is list order."""
    return [node(f"n{i:04d}") for i in range(size)]


def small_pod(ordinal: int = 0) -> PodWork:
    return PodWork(f"web-{ordinal}", "web", ordinal, cpu_milli=10, memory_mb=16)


# --- numFeasibleNodesToFind -----------------------------------------------------------------------


def test_fifty_nodes_are_all_examined() -> None:
    """Below 100 nodes there is no sampling: 50 → 50."""
    assert nodes_to_score(50) == 50


def test_one_hundred_nodes_are_all_examined_because_of_the_minimum() -> None:
    """100 nodes: p = 50 − 100/125 = 50 − 0 = 50 → 100 × 50 / 100 = 50, raised to the minimum 100."""
    assert nodes_to_score(100) == 100


def test_five_hundred_nodes_stop_after_230_feasible() -> None:
    """500 nodes: p = 50 − 500/125 = 46 → 500 × 46 / 100 = 230."""
    assert nodes_to_score(500) == 230


def test_five_thousand_nodes_stop_after_500_feasible() -> None:
    """5,000 nodes: p = 50 − 40 = 10 → 5000 × 10 / 100 = 500 (the reference's example)."""
    assert nodes_to_score(5000) == 500


def test_the_adaptive_percentage_never_drops_below_five() -> None:
    """6,000 nodes: 50 − 48 = 2, floored at 5 → 6000 × 5 / 100 = 300."""
    assert adaptive_percentage(6000) == 5
    assert nodes_to_score(6000) == 300


@pytest.mark.parametrize(
    ("nodes", "percentage", "expected"),
    [
        (500, 30, 150),  # 500 × 30 / 100
        (500, 10, 100),  # 500 × 10 / 100 = 50, raised to 100
        (500, 100, 500),  # 100 % is every node
        (50, 10, 50),  # below 100 nodes the percentage does not apply
        (5000, 0, 500),  # 0 is the adaptive default
    ],
)
def test_a_configured_percentage_replaces_the_adaptive_one(
    nodes: int, percentage: int, expected: int
) -> None:
    """percentageOfNodesToScore 1–100 fixes p; the 100-node minimum still applies."""
    assert nodes_to_score(nodes, percentage) == expected


def test_settings_reject_a_percentage_outside_0_to_100() -> None:
    """The setting is a percentage."""
    with pytest.raises(ValueError):
        KubeSchedulerSettings(percentage_of_nodes_to_score=101)
    with pytest.raises(ValueError):
        KubeSchedulerSettings(mode="kube-1.99")


# --- scan order and rotation ----------------------------------------------------------------------


def test_the_scan_takes_one_node_from_each_zone_in_turn() -> None:
    """The node tree interleaves zones in the order their first node appeared."""
    nodes = [
        node("a1", "za"),
        node("a2", "za"),
        node("b1", "zb"),
        node("a3", "za"),
        node("c1", "zc"),
        node("c2", "zc"),
    ]

    assert [n.name for n in scan_order(nodes)] == ["a1", "b1", "c1", "a2", "c2", "a3"]


@pytest.mark.parametrize("settings", [LEGACY, FRAMEWORK])
def test_five_hundred_nodes_examine_230_and_leave_270_not_sampled(settings: KubeSchedulerSettings) -> None:
    """The scan stops at the 230th feasible node; the rest are reported as not sampled."""
    nodes = cluster(500)

    placement = schedule_pod(nodes, small_pod(), settings, SamplingState(), random.Random(0))

    verdicts = [c.verdict for c in placement.candidates]
    assert verdicts[:230] == ["ok"] * 230
    assert verdicts[230:] == ["not sampled"] * 270
    assert (placement.nodes_to_find, placement.nodes_examined, placement.feasible) == (230, 230, 230)
    assert placement.winner in {n.name for n in nodes[:230]}


def test_each_cycle_starts_where_the_previous_one_stopped() -> None:
    """nextStartNodeIndex advances by the nodes examined and wraps: 0 → 230 → 460 → 190."""
    nodes = cluster(500)
    state = SamplingState()
    rng = random.Random(0)

    starts = []
    for ordinal in range(3):
        placement = schedule_pod(nodes, small_pod(ordinal), FRAMEWORK, state, rng)
        starts.append(placement.start_index)
    # Third cycle: 460 … 499 (40 nodes), then 0 … 189 (190 nodes) = 230; next start 690 mod 500 = 190.
    assert starts == [0, 230, 460]
    assert state.next_start_node_index == 190
    third = {c.cell for c in placement.candidates if c.sampled}
    assert third == {n.name for n in nodes[460:] + nodes[:190]}


def test_rejected_nodes_count_as_examined() -> None:
    """200 nodes (p = 49 → 98 → 100): 10 cordoned nodes first means 110 examined."""
    nodes = [node(f"x{i}", unschedulable=True) for i in range(10)] + cluster(190)
    state = SamplingState()

    placement = schedule_pod(nodes, small_pod(), FRAMEWORK, state, random.Random(0))

    assert (placement.nodes_to_find, placement.nodes_examined, placement.feasible) == (100, 110, 100)
    assert state.next_start_node_index == 110


def test_without_a_feasible_node_every_node_is_examined() -> None:
    """The scan goes all the way round, so the start index comes back to where it was."""
    nodes = [node(f"x{i}", unschedulable=True) for i in range(150)]
    state = SamplingState(next_start_node_index=7)

    placement = schedule_pod(nodes, small_pod(), FRAMEWORK, state, random.Random(0))

    assert placement.nodes_examined == 150
    assert state.next_start_node_index == 7
    assert placement.error == "0/150 nodes are available: 150 node(s) were unschedulable."


def test_a_small_cluster_is_filtered_and_scored_whole_every_cycle() -> None:
    """Eirini's 30–40 node clusters (§2.4): every node is examined and every feasible one scored."""
    nodes = cluster(40)
    state = SamplingState()
    rng = random.Random(0)

    for ordinal in range(5):
        placement = schedule_pod(nodes, small_pod(ordinal), LEGACY, state, rng)
        assert placement.nodes_examined == 40
        assert all(c.sampled and c.score is not None for c in placement.candidates)
    assert state.next_start_node_index == 0


def test_the_decision_record_says_which_nodes_were_sampled() -> None:
    """Candidate rows carry ``sampled`` and their position in the scan."""
    nodes = cluster(500)

    record = schedule_pod(
        nodes, small_pod(), FRAMEWORK, SamplingState(next_start_node_index=400), random.Random(0)
    ).decision_fields()

    rows = {row["cell"]: row for row in record["candidates"]}
    assert rows["n0400"]["order"] == 0 and rows["n0400"]["sampled"] is True
    assert rows["n0129"]["order"] == 229  # 100 nodes 400…499, then 0…129
    assert rows["n0130"] == {**rows["n0130"], "verdict": "not sampled", "sampled": False, "order": None}
    assert (record["nodes_total"], record["nodes_to_find"], record["start_index"]) == (500, 230, 400)
