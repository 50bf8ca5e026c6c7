"""How kube-scheduler scores feasible nodes, in both modes (kubernetes-eirini.md §2.2–§2.3).

Expected numbers are worked out by hand from the formulas in the reference (and, for
SelectorSpreadPriority, from its v1.14 source), in the comments next to each assertion, never by
calling the scoring code. Memory is in decimal MB (10^6 bytes); 1 MiB is 1,048,576 bytes.
"""

from __future__ import annotations

import random

from simulator.kubernetes.cluster import (
    Image,
    NodeState,
    PodOnNode,
    PodWork,
    PreferredTerm,
    Taint,
    Toleration,
    reported_images,
    statefulset_pod,
)
from simulator.kubernetes.profiles import FRAMEWORK, LEGACY
from simulator.kubernetes.sampling import SamplingState
from simulator.kubernetes.scheduler import schedule_pod
from simulator.kubernetes.scores import (
    balanced_allocation_score,
    default_normalize,
    image_locality_score,
    least_allocated_score,
    score_nodes,
)


def node(name: str, zone: str = "z1", *, cpu: int = 4000, memory: int = 16000, **fields: object) -> NodeState:
    return NodeState(name, zone, cpu, memory, 100_000, **fields)  # type: ignore[arg-type]


def pod(cpu: int = 500, memory: int = 1000, **fields: object) -> PodWork:
    return PodWork("web-0", "web", 0, cpu_milli=cpu, memory_mb=memory, **fields)  # type: ignore[arg-type]


def web_pods_on(count: int, cpu: int = 500, memory: int = 2000) -> list[PodOnNode]:
    labels = statefulset_pod("web", 0).labels
    return [PodOnNode(f"web-{i + 10}", labels, cpu, memory) for i in range(count)]


# --- LeastAllocated / LeastRequestedPriority ------------------------------------------------------


def test_least_allocated_is_the_mean_free_share_of_cpu_and_memory_on_a_0_to_100_scale() -> None:
    """Framework: per resource (alloc − req) × 100 / alloc, integer, then (cpu + memory) / 2."""
    half = node("n", requested_cpu_milli=1000, requested_memory_mb=4000)

    # cpu:    1000 + 500 = 1500 of 4000  -> (4000 − 1500) × 100 / 4000 = 62.5 -> 62
    # memory: 4000 + 1000 = 5000 of 16000 -> (16000 − 5000) × 100 / 16000 = 68.75 -> 68
    # (62 × 1 + 68 × 1) / 2 = 65
    assert least_allocated_score(half, pod(), FRAMEWORK) == 65


def test_least_requested_priority_uses_the_same_formula_on_a_0_to_10_scale() -> None:
    """2019: per resource (alloc − req) × 10 / alloc, integer, then (cpu + memory) / 2."""
    half = node("n", requested_cpu_milli=1000, requested_memory_mb=4000)

    # cpu:    (4000 − 1500) × 10 / 4000   = 6.25  -> 6
    # memory: (16000 − 5000) × 10 / 16000 = 6.875 -> 6
    # (6 + 6) / 2 = 6
    assert least_allocated_score(half, pod(), LEGACY) == 6


def test_unset_requests_count_as_100_millicores_and_200_mib_when_scoring() -> None:
    """Scoring replaces a missing request by 100m / 200 MiB, on the node and for the incoming pod."""
    small = node("n", cpu=1000, memory=1000, pods_without_cpu_request=1, pods_without_memory_request=1)
    best_effort = pod(cpu=0, memory=0)

    # cpu:    100 (the pod already there) + 100 (this pod) = 200 -> (1000 − 200) × 100 / 1000 = 80
    # memory: 2 × 200 MiB = 419,430,400 B of 10^9 B -> 580,569,600 × 100 / 10^9 = 58.06 -> 58
    # (80 + 58) / 2 = 69
    assert least_allocated_score(small, best_effort, FRAMEWORK) == 69


# --- BalancedAllocation / BalancedResourceAllocation ----------------------------------------------


def test_balanced_allocation_is_one_minus_half_the_gap_between_cpu_and_memory_fractions() -> None:
    """Framework (v1.22+): std of two fractions = |f_cpu − f_mem| / 2; score = (1 − std) × 100."""
    half = node("n", requested_cpu_milli=1000, requested_memory_mb=4000)

    # f_cpu = 1500 / 4000 = 0.375; f_mem = 5000 / 16000 = 0.3125
    # std = 0.0625 / 2 = 0.03125 -> (1 − 0.03125) × 100 = 96.875 -> 96
    assert balanced_allocation_score(half, pod(), FRAMEWORK) == 96


def test_balanced_resource_allocation_in_2019_is_one_minus_the_whole_gap() -> None:
    """2019: (1 − |f_cpu − f_mem|) × 10 on non-zero requests."""
    half = node("n", requested_cpu_milli=1000, requested_memory_mb=4000)

    # |0.375 − 0.3125| = 0.0625 -> (1 − 0.0625) × 10 = 9.375 -> 9
    assert balanced_allocation_score(half, pod(), LEGACY) == 9


def test_a_full_resource_zeroes_balance_in_2019_but_is_capped_at_one_in_the_framework() -> None:
    """2019 scores 0 once a fraction reaches 1; the framework caps fractions at 1 and goes on."""
    cpu_full = node("n", cpu=1000, requested_cpu_milli=900)
    # f_cpu = (900 + 100) / 1000 = 1.0; f_mem = 1000 / 16000 = 0.0625
    assert balanced_allocation_score(cpu_full, pod(cpu=100), LEGACY) == 0
    # std = (1.0 − 0.0625) / 2 = 0.46875 -> (1 − 0.46875) × 100 = 53.125 -> 53
    assert balanced_allocation_score(cpu_full, pod(cpu=100), FRAMEWORK) == 53


def test_the_framework_skips_balanced_allocation_for_a_pod_without_requests() -> None:
    """A best-effort pod gets 0 from BalancedAllocation everywhere; 2019 scored it on the defaults."""
    nodes = [node("a", cpu=1000, memory=1000), node("b", cpu=1000, memory=1000)]
    best_effort = pod(cpu=0, memory=0)

    framework = score_nodes(nodes, nodes, best_effort, FRAMEWORK)
    legacy = score_nodes(nodes, nodes, best_effort, LEGACY)

    assert framework["a"].normalized["NodeResourcesBalancedAllocation"] == 0
    # f_cpu = 100 / 1000 = 0.1; f_mem = 209,715,200 / 10^9 = 0.2097152
    # (1 − 0.1097152) × 10 = 8.9028 -> 8
    assert legacy["a"].normalized["BalancedResourceAllocation"] == 8


# --- ImageLocality ---------------------------------------------------------------------------------

DROPLET = "registry/cloudfoundry/droplet-web:abc123"


def test_image_locality_scales_the_size_between_23_and_1000_mib() -> None:
    """A 900 MB image on every node: 100 × (size − 23 MiB) / (1000 MiB − 23 MiB), integer."""
    holders = [node("a", images={DROPLET: 900}), node("b", images={DROPLET: 900})]
    web = pod(images=(Image(DROPLET, 900),))
    counts = {DROPLET: 2}

    # 900,000,000 × 2/2 = 900,000,000 B; min 24,117,248 B; max 1,048,576,000 B
    # 100 × 875,882,752 / 1,024,458,752 = 85.497 -> 85; on 0–10: 8.5497 -> 8
    assert image_locality_score(holders[0], web, counts, 2, FRAMEWORK) == 85
    assert image_locality_score(holders[0], web, counts, 2, LEGACY) == 8


def test_image_locality_credits_a_rare_image_less() -> None:
    """The size is multiplied by the share of nodes holding the image (the spread)."""
    holder = node("a", images={DROPLET: 900})
    web = pod(images=(Image(DROPLET, 900),))

    # 900,000,000 × 1/4 = 225,000,000 B -> 100 × 200,882,752 / 1,024,458,752 = 19.6 -> 19
    assert image_locality_score(holder, web, {DROPLET: 1}, 4, FRAMEWORK) == 19


def test_a_node_without_the_image_scores_zero() -> None:
    """Nothing present: the sum 0 is raised to the 23 MiB floor, which scores 0."""
    assert (
        image_locality_score(node("b"), pod(images=(Image(DROPLET, 900),)), {DROPLET: 1}, 2, FRAMEWORK) == 0
    )


def test_an_untagged_image_name_matches_the_latest_tag() -> None:
    """Image names are normalised with ``:latest`` before they are compared."""
    holder = node("a", images={"cloudfoundry/eirinifs:latest": 900})
    web = pod(images=(Image("cloudfoundry/eirinifs", 900),))

    # Same arithmetic as the 900 MB case on every node: 85.
    assert image_locality_score(holder, web, {"cloudfoundry/eirinifs:latest": 1}, 1, FRAMEWORK) == 85


def test_the_framework_allows_1000_mib_per_container_but_2019_allowed_1000_mib_in_all() -> None:
    """Two 900 MB images: the framework's ceiling doubles; 2019 clamps the sum at 1000 MiB."""
    images = {"a:1": 900, "b:1": 900}
    holder = node("n", images=images)
    two = pod(images=(Image("a:1", 900), Image("b:1", 900)))
    counts = {"a:1": 1, "b:1": 1}

    # sum 1,800,000,000 B; max 2 × 1,048,576,000 = 2,097,152,000 B
    # 100 × (1,800,000,000 − 24,117,248) / (2,097,152,000 − 24,117,248)
    #   = 177,588,275,200 / 2,073,034,752 = 85.67 -> 85
    assert image_locality_score(holder, two, counts, 1, FRAMEWORK) == 85
    # 2019: clamped to 1,048,576,000 -> 10 × 1,024,458,752 / 1,024,458,752 = 10
    assert image_locality_score(holder, two, counts, 1, LEGACY) == 10


def test_a_node_reports_only_its_fifty_largest_images() -> None:
    """Image locality can only credit what the node status lists: the 50 largest images."""
    images = {f"app-{size}:1": size for size in range(1, 61)}  # 60 images of 1 … 60 MB

    reported = reported_images(images)

    assert len(reported) == 50
    assert min(reported.values()) == 11  # 60 … 11 kept, 10 … 1 dropped


# --- TaintToleration and NodeAffinity normalisation -----------------------------------------------


def test_taint_toleration_reverses_the_count_of_untolerated_prefer_no_schedule_taints() -> None:
    """Fewer PreferNoSchedule taints is better: max − max × count / highest count."""
    soft = Taint("spot", "yes", "PreferNoSchedule")
    other = Taint("old", "yes", "PreferNoSchedule")
    nodes = [node("a"), node("b", taints=(soft,)), node("c", taints=(soft, other))]

    framework = score_nodes(nodes, nodes, pod(), FRAMEWORK)
    legacy = score_nodes(nodes, nodes, pod(), LEGACY)

    # raw 0, 1, 2 -> 100 − 0, 100 − 100 × 1/2, 100 − 100 = 100, 50, 0; weight 3 -> 300, 150, 0
    assert [framework[n].normalized["TaintToleration"] for n in "abc"] == [100, 50, 0]
    assert [framework[n].terms["TaintToleration"] for n in "abc"] == [300, 150, 0]
    # On 0–10: 10, 10 − 5, 0; weight 1.
    assert [legacy[n].terms["TaintTolerationPriority"] for n in "abc"] == [10, 5, 0]


def test_a_tolerated_prefer_no_schedule_taint_does_not_count() -> None:
    """A PreferNoSchedule (or any-effect) toleration removes the taint from the count."""
    soft = Taint("spot", "yes", "PreferNoSchedule")
    nodes = [node("a"), node("b", taints=(soft,))]
    tolerant = pod(tolerations=(Toleration("spot", "Exists", effect="PreferNoSchedule"),))

    scores = score_nodes(nodes, nodes, tolerant, FRAMEWORK)

    # Both raw 0: the reversed normalisation gives every node the maximum.
    assert scores["b"].raw["TaintToleration"] == 0
    assert scores["a"].normalized["TaintToleration"] == scores["b"].normalized["TaintToleration"] == 100


def test_node_affinity_scales_matching_preferred_weights_to_the_highest() -> None:
    """Σ weights of matching preferred terms, scaled so the best node gets the maximum."""
    nodes = [
        node("a", labels={"disk": "ssd", "gpu": "yes"}),
        node("b", labels={"disk": "ssd"}),
        node("c"),
    ]
    picky = pod(preferred_node_terms=(PreferredTerm(20, {"disk": "ssd"}), PreferredTerm(5, {"gpu": "yes"})))

    framework = score_nodes(nodes, nodes, picky, FRAMEWORK)
    legacy = score_nodes(nodes, nodes, picky, LEGACY)

    # raw 25, 20, 0 -> 100 × 25/25, 100 × 20/25, 0 = 100, 80, 0; weight 2 -> 200, 160, 0
    assert [framework[n].terms["NodeAffinity"] for n in "abc"] == [200, 160, 0]
    # 10 × 20/25 = 8
    assert [legacy[n].terms["NodeAffinityPriority"] for n in "abc"] == [10, 8, 0]


def test_default_normalisation_gives_zero_everywhere_when_nothing_matches() -> None:
    """All raw scores 0: unchanged (0) without reverse, the maximum with reverse."""
    assert default_normalize({"a": 0, "b": 0}, 100, reverse=False) == {"a": 0, "b": 0}
    assert default_normalize({"a": 0, "b": 0}, 10, reverse=True) == {"a": 10, "b": 10}


# --- spreading -------------------------------------------------------------------------------------


def spread_cluster() -> list[NodeState]:
    """n1 (z1) runs 2 web pods, n2 (z1) none, n3 (z2) one; each pod requests 500m / 2000 MB."""
    return [
        node(
            "n1", "z1", requested_cpu_milli=1000, requested_memory_mb=4000, pod_count=2, pods=web_pods_on(2)
        ),
        node("n2", "z1"),
        node("n3", "z2", requested_cpu_milli=500, requested_memory_mb=2000, pod_count=1, pods=web_pods_on(1)),
    ]


def test_pod_topology_spread_system_defaults_score_by_node_and_zone() -> None:
    """raw = Σ count × log(domains + 2) + (maxSkew − 1), rounded; then 100 × (max + min − s) / max."""
    nodes = spread_cluster()
    web = statefulset_pod("web", 3, cpu_milli=500, memory_mb=2000)

    scores = score_nodes(nodes, nodes, web, FRAMEWORK)

    # hostname (maxSkew 3): 3 feasible nodes -> weight ln 5 = 1.6094; zone (maxSkew 5): 2 zones -> ln 4 = 1.3863
    # zone counts: z1 = 2, z2 = 1
    # n1: 2 × 1.6094 + 2 + 2 × 1.3863 + 4 = 11.991 -> 12
    # n2: 0 + 2 + 2 × 1.3863 + 4 = 8.773 -> 9
    # n3: 1 × 1.6094 + 2 + 1 × 1.3863 + 4 = 8.996 -> 9
    assert [scores[n].raw["PodTopologySpread"] for n in ("n1", "n2", "n3")] == [12, 9, 9]
    # min 9, max 12: n1 100 × (12 + 9 − 12) / 12 = 75; n2, n3 100 × 12 / 12 = 100; weight 2
    assert [scores[n].terms["PodTopologySpread"] for n in ("n1", "n2", "n3")] == [150, 200, 200]


def test_selector_spread_gives_two_thirds_of_its_score_to_the_zone() -> None:
    """2019: 10 × (maxNode − n) / maxNode blended 1/3 : 2/3 with 10 × (maxZone − z) / maxZone."""
    nodes = spread_cluster()
    web = statefulset_pod("web", 3, cpu_milli=500, memory_mb=2000)

    scores = score_nodes(nodes, nodes, web, LEGACY)

    # node counts 2, 0, 1 (max 2); zone counts z1 = 2, z2 = 1 (max 2)
    # n1: node 0,  zone 0 -> 0
    # n2: node 10, zone 0 -> 10/3 = 3.33 -> 3
    # n3: node 5,  zone 5 -> 5/3 + 10/3 = 5.0 -> 5
    assert [scores[n].terms["SelectorSpreadPriority"] for n in ("n1", "n2", "n3")] == [0, 3, 5]


def test_the_two_modes_weigh_zones_differently_and_pick_different_nodes() -> None:
    """Whole totals: the framework prefers the empty node n2, 2019 the emptier zone's n3."""
    web = statefulset_pod("web", 3, cpu_milli=500, memory_mb=2000)

    framework = schedule_pod(spread_cluster(), web, FRAMEWORK, SamplingState(), random.Random(0))
    legacy = schedule_pod(spread_cluster(), web, LEGACY, SamplingState(), random.Random(0))

    # Framework, per node n1 / n2 / n3 (weight × normalised):
    #   TaintToleration 3 × 100 = 300 each (no taints); NodeAffinity 0; ImageLocality 0
    #   NodeResourcesFit: cpu 1500 / 500 / 1000 of 4000 and memory 6000 / 2000 / 4000 of 16000
    #     n1 (62.5 -> 62, 62.5 -> 62) -> 62; n2 (87.5 -> 87, 87.5 -> 87) -> 87; n3 (75, 75) -> 75
    #   BalancedAllocation: cpu and memory fractions equal on every node -> 100 each
    #   PodTopologySpread: 150 / 200 / 200 (see above)
    #   totals: n1 300 + 62 + 150 + 100 = 612; n2 300 + 87 + 200 + 100 = 687; n3 300 + 75 + 200 + 100 = 675
    assert {c.cell: c.score for c in framework.candidates} == {"n1": 612, "n2": 687, "n3": 675}
    assert framework.winner == "n2"
    # 2019, weights all 1:
    #   SelectorSpread 0 / 3 / 5; LeastRequested n1 (6.25 -> 6, 6.25 -> 6) 6, n2 (8.75, 8.75) 8, n3 (7.5, 7.5) 7
    #   Balanced 10 each; TaintToleration 10 each; NodeAffinity 0; ImageLocality 0
    #   totals: n1 0 + 6 + 10 + 10 = 26; n2 3 + 8 + 10 + 10 = 31; n3 5 + 7 + 10 + 10 = 32
    assert {c.cell: c.score for c in legacy.candidates} == {"n1": 26, "n2": 31, "n3": 32}
    assert legacy.winner == "n3"


def test_a_candidate_total_is_the_sum_of_its_weighted_terms() -> None:
    """terms[plugin] = normalised × weight, and score = Σ terms."""
    web = statefulset_pod("web", 3, cpu_milli=500, memory_mb=2000)

    placement = schedule_pod(spread_cluster(), web, FRAMEWORK, SamplingState(), random.Random(0))

    weights = FRAMEWORK.weights
    for candidate in placement.candidates:
        assert candidate.terms == {p: candidate.normalized[p] * w for p, w in weights.items()}
        assert candidate.score == sum(candidate.terms.values())
