"""One scheduling cycle end to end: tie-breaks, StatefulSet spreading, assume, and the decision record.

§2.1 (assume), §2.2 (SelectorSpreadPriority / PodTopologySpread system defaults), §2.4 (ties are
broken uniformly at random with the run's generator). Spreading numbers are worked out by hand
in the comments.
"""

from __future__ import annotations

import json
import random

import pytest

from simulator.kubernetes.cluster import NodeState, assume, forget, statefulset_pod
from simulator.kubernetes.profiles import FRAMEWORK, LEGACY, KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState
from simulator.kubernetes.scheduler import schedule_pod, select_host


def node(name: str, zone: str = "z1", **fields: object) -> NodeState:
    return NodeState(name, zone, 4000, 16000, 100_000, **fields)  # type: ignore[arg-type]


def three_nodes_two_zones() -> list[NodeState]:
    return [node("a", "z1"), node("b", "z1"), node("c", "z2")]


# --- tie-break -------------------------------------------------------------------------------------


def test_the_same_seed_breaks_a_tie_the_same_way() -> None:
    """Identical nodes tie; the winner depends only on the generator's seed."""
    for seed in range(10):
        winners = {
            schedule_pod(
                three_nodes_two_zones(),
                statefulset_pod("web", 0),
                FRAMEWORK,
                SamplingState(),
                random.Random(seed),
            ).winner
            for _ in range(3)
        }
        assert len(winners) == 1


@pytest.mark.parametrize("settings", [LEGACY, FRAMEWORK])
def test_different_seeds_pick_every_tied_node(settings: KubeSchedulerSettings) -> None:
    """Reservoir sampling gives each of k tied nodes a 1/k chance: over 60 seeds all three win."""
    winners = [
        schedule_pod(
            three_nodes_two_zones(), statefulset_pod("web", 0), settings, SamplingState(), random.Random(seed)
        ).winner
        for seed in range(60)
    ]
    assert set(winners) == {"a", "b", "c"}
    assert all(winners.count(name) >= 10 for name in "abc")  # expected 20 each


def test_a_tie_is_reported_with_how_many_nodes_shared_the_top_score() -> None:
    """``tied`` counts the nodes with the maximum total."""
    placement = schedule_pod(
        three_nodes_two_zones(), statefulset_pod("web", 0), FRAMEWORK, SamplingState(), random.Random(0)
    )

    assert placement.tied == 3


def test_a_clear_winner_draws_nothing_from_the_generator() -> None:
    """The generator is consulted only when a tie is met."""
    rng = random.Random(42)
    before = rng.getstate()

    assert select_host(["a", "b", "c"], {"a": 5, "b": 9, "c": 7}, rng) == ("b", 1)
    assert rng.getstate() == before


def test_reservoir_sampling_replaces_the_choice_with_chance_one_in_k() -> None:
    """Two tied nodes: the second replaces the first when randrange(2) is 0."""
    for seed in range(20):
        expected = "b" if random.Random(seed).randrange(2) == 0 else "a"
        assert select_host(["a", "b"], {"a": 1, "b": 1}, random.Random(seed)) == (expected, 2)


def test_a_single_feasible_node_is_not_scored() -> None:
    """With one feasible node the scheduler skips scoring (§2.1) and draws nothing."""
    nodes = [node("a"), node("b", unschedulable=True)]
    rng = random.Random(1)
    before = rng.getstate()

    placement = schedule_pod(nodes, statefulset_pod("web", 0, memory_mb=256), FRAMEWORK, SamplingState(), rng)

    assert placement.winner == "a"
    assert placement.candidate("a").score is None
    assert placement.candidate("a").reason == "the only feasible node: scoring skipped"
    assert rng.getstate() == before


# --- StatefulSet spreading ------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [LEGACY, FRAMEWORK])
@pytest.mark.parametrize("seed", range(8))
def test_a_three_replica_statefulset_spreads_over_three_nodes_in_two_zones(
    settings: KubeSchedulerSettings, seed: int
) -> None:
    """web-0, web-1, web-2 land on three different nodes and both zones, whatever the seed."""
    nodes = three_nodes_two_zones()
    state = SamplingState()
    rng = random.Random(seed)

    winners = [
        schedule_pod(
            nodes, statefulset_pod("web", i, cpu_milli=120, memory_mb=1024), settings, state, rng
        ).winner
        for i in range(3)
    ]

    assert sorted(w for w in winners if w) == ["a", "b", "c"]


def test_selector_spread_sends_the_second_replica_to_the_other_zone() -> None:
    """2019, web-0 on a (z1): node counts a 1, b 0, c 0; zone counts z1 1, z2 0."""
    nodes = three_nodes_two_zones()
    assume(nodes[0], statefulset_pod("web", 0, cpu_milli=120, memory_mb=1024))

    second = schedule_pod(
        nodes,
        statefulset_pod("web", 1, cpu_milli=120, memory_mb=1024),
        LEGACY,
        SamplingState(),
        random.Random(0),
    )

    # a: node 10 × 0/1 = 0, zone 0 -> 0
    # b: node 10 × 1/1 = 10, zone 10 × 0/1 = 0 -> 10/3 = 3.3 -> 3
    # c: node 10, zone 10 × 1/1 = 10 -> 10
    assert {c.cell: c.normalized["SelectorSpreadPriority"] for c in second.candidates} == {
        "a": 0,
        "b": 3,
        "c": 10,
    }
    assert second.winner == "c"

    third = schedule_pod(
        nodes,
        statefulset_pod("web", 2, cpu_milli=120, memory_mb=1024),
        LEGACY,
        SamplingState(),
        random.Random(0),
    )

    # node counts a 1, b 0, c 1; zone counts z1 1, z2 1: only b scores, 10/3 -> 3
    assert {c.cell: c.normalized["SelectorSpreadPriority"] for c in third.candidates} == {
        "a": 0,
        "b": 3,
        "c": 0,
    }
    assert third.winner == "b"


def test_pod_topology_spread_sends_the_second_replica_to_the_other_zone() -> None:
    """Framework system defaults, web-0 on a (z1); weights ln(3 + 2) for hostname, ln(2 + 2) for zone."""
    nodes = three_nodes_two_zones()
    assume(nodes[0], statefulset_pod("web", 0, cpu_milli=120, memory_mb=1024))

    second = schedule_pod(
        nodes,
        statefulset_pod("web", 1, cpu_milli=120, memory_mb=1024),
        FRAMEWORK,
        SamplingState(),
        random.Random(0),
    )

    # a: 1 × 1.609 + 2 + 1 × 1.386 + 4 = 8.996 -> 9
    # b: 0 + 2 + 1 × 1.386 + 4 = 7.386 -> 7
    # c: 0 + 2 + 0 + 4 = 6
    # min 6, max 9: a 100 × 6/9 = 66, b 100 × 8/9 = 88, c 100 × 9/9 = 100
    assert {c.cell: c.raw["PodTopologySpread"] for c in second.candidates} == {"a": 9, "b": 7, "c": 6}
    assert {c.cell: c.normalized["PodTopologySpread"] for c in second.candidates} == {
        "a": 66,
        "b": 88,
        "c": 100,
    }
    assert second.winner == "c"

    third = schedule_pod(
        nodes,
        statefulset_pod("web", 2, cpu_milli=120, memory_mb=1024),
        FRAMEWORK,
        SamplingState(),
        random.Random(0),
    )

    # a 9, b 7, c 1 × 1.609 + 2 + 1 × 1.386 + 4 = 8.996 -> 9; b 100 × 9/9 = 100, a and c 100 × 7/9 = 77
    assert {c.cell: c.normalized["PodTopologySpread"] for c in third.candidates} == {
        "a": 77,
        "b": 100,
        "c": 77,
    }
    assert third.winner == "b"


def test_pods_of_another_app_do_not_count_for_spreading() -> None:
    """Only pods matched by the owner's selector count: an empty node and a node full of db pods tie."""
    nodes = [node("a", "z1"), node("b", "z1")]
    for i in range(3):
        assume(nodes[0], statefulset_pod("db", i))

    scores = schedule_pod(nodes, statefulset_pod("web", 0), FRAMEWORK, SamplingState(), random.Random(0))

    assert (
        scores.candidate("a").normalized["PodTopologySpread"]
        == scores.candidate("b").normalized["PodTopologySpread"]
        == 100
    )


def test_terminating_pods_do_not_count_for_spreading() -> None:
    """A pod being deleted still holds resources but no longer counts as a replica on its node."""
    nodes = [node("a", "z1"), node("b", "z1")]
    assume(nodes[0], statefulset_pod("web", 0))
    nodes[0].pods[0].terminating = True

    placement = schedule_pod(nodes, statefulset_pod("web", 1), FRAMEWORK, SamplingState(), random.Random(0))

    assert (
        placement.candidate("a").raw["PodTopologySpread"] == placement.candidate("b").raw["PodTopologySpread"]
    )
    assert placement.zone_counts == {"z1": 0}


# --- assume and forget -----------------------------------------------------------------------------


def test_the_winner_has_the_pod_assumed_onto_it() -> None:
    """Its requests, pod count and pod list include the new pod as soon as the cycle ends."""
    nodes = [node("a")]

    schedule_pod(
        nodes,
        statefulset_pod("web", 0, cpu_milli=120, memory_mb=1024, ephemeral_mb=2048),
        LEGACY,
        SamplingState(),
        random.Random(0),
    )

    a = nodes[0]
    assert (a.requested_cpu_milli, a.requested_memory_mb, a.requested_ephemeral_mb, a.pod_count) == (
        120,
        1024,
        2048,
        1,
    )
    assert [p.name for p in a.pods] == ["web-0"]


def test_a_later_pod_sees_the_room_an_earlier_one_took() -> None:
    """Two 10,000 MB pods on two 16,000 MB nodes: the second cannot join the first."""
    nodes = [node("a"), node("b")]
    state = SamplingState()
    rng = random.Random(3)

    first = schedule_pod(nodes, statefulset_pod("big", 0, memory_mb=10_000), FRAMEWORK, state, rng)
    second = schedule_pod(nodes, statefulset_pod("big", 1, memory_mb=10_000), FRAMEWORK, state, rng)

    assert {first.winner, second.winner} == {"a", "b"}
    assert second.candidate(first.winner or "").reasons == ["Insufficient memory"]


def test_forget_undoes_assume() -> None:
    """A failed bind or a deleted pod gives the node its room back."""
    a = node("a")
    web = statefulset_pod("web", 0, memory_mb=1024)
    assume(a, web)
    assume(a, statefulset_pod("web", 1, memory_mb=0))

    assert forget(a, "web-0") is not None
    assert forget(a, "web-1") is not None
    assert forget(a, "web-9") is None
    assert (
        a.requested_memory_mb,
        a.pod_count,
        a.pods_without_memory_request,
        a.pods_without_cpu_request,
        a.pods,
    ) == (0, 0, 0, 0, [])


# --- the decision record ---------------------------------------------------------------------------


def test_the_decision_record_has_diegos_shape_and_is_plain_json() -> None:
    """The fields Diego's decision record has, filled for a pod, and candidate rows like Diego's."""
    nodes = [*three_nodes_two_zones(), node("d", "z2", unschedulable=True)]

    record = schedule_pod(
        nodes, statefulset_pod("web", 0, memory_mb=256), FRAMEWORK, SamplingState(), random.Random(0)
    ).decision_fields(cycle=7)

    assert json.loads(json.dumps(record)) == record
    assert {
        "work",
        "work_type",
        "app",
        "index",
        "round",
        "winner",
        "error",
        "memory_mb",
        "disk_mb",
        "weights",
        "zone_counts",
        "tied",
        "candidates",
    } <= set(record)
    assert (record["work"], record["work_type"], record["index"], record["round"]) == ("web/0", "pod", 0, 7)
    assert record["mode"] == "framework" and record["max_node_score"] == 100
    row = record["candidates"][3]
    assert {"cell", "zone", "verdict", "reason", "terms", "score"} <= set(row)
    assert (row["cell"], row["verdict"], row["reason"], row["score"]) == (
        "d",
        "NodeUnschedulable",
        "node(s) were unschedulable",
        None,
    )
    assert row["filters"] == {"NodeUnschedulable": "node(s) were unschedulable"}
    assert record["candidates"][0]["filters"]["NodeResourcesFit"] == "ok"


def test_legacy_is_the_default_mode() -> None:
    """The talk compares the 2019 Eirini, which ran the legacy provider (profiles.py explains)."""
    assert KubeSchedulerSettings().mode == "legacy-2019"
    assert KubeSchedulerSettings().max_node_score == 10


def test_the_same_seed_gives_the_same_decision_records_for_a_whole_push() -> None:
    """Ten pods of two apps on six nodes: two runs with one seed emit identical records."""

    def run(seed: int) -> list[str]:
        nodes = [node(f"n{i}", f"z{i % 3}") for i in range(6)]
        state = SamplingState()
        rng = random.Random(seed)
        records = []
        for i in range(10):
            app = "web" if i % 2 else "api"
            placement = schedule_pod(nodes, statefulset_pod(app, i // 2, memory_mb=512), LEGACY, state, rng)
            records.append(json.dumps(placement.decision_fields(cycle=i), sort_keys=True))
        return records

    assert run(11) == run(11)
    assert run(11) != run(12)
