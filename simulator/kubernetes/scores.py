"""How feasible nodes are scored: each score plugin's raw score, its normalisation, the weighted sum.

Per plugin the scheduler scores every feasible node, then normalises the list where the plugin
has a NormalizeScore (2019: a Reduce function), then multiplies by the plugin's weight; a node's
total is the sum (§2.1, §2.3). Everything is integer arithmetic as in the Go code, with the same
float steps where the Go code uses floats, so totals tie exactly when the real ones would.

=============================== ========================================== ===================
plugin (2019 name)              raw score                                  normalisation
=============================== ========================================== ===================
NodeResourcesFit                LeastAllocated on non-zero requests,       none
(LeastRequestedPriority)        mean of cpu and memory
NodeResourcesBalancedAllocation 100 × (1 − |f_cpu − f_mem| / 2) on real    none
(BalancedResourceAllocation)    requests; 2019: 10 × (1 − |f_cpu − f_mem|)
                                on non-zero requests, 0 if a fraction ≥ 1
ImageLocality                   Σ size × nodes having it / all nodes,      none
(ImageLocalityPriority)         clamped to [23 MiB, 1000 MiB × containers]
TaintToleration                 untolerated PreferNoSchedule taints        reverse: fewer wins
NodeAffinity                    Σ weights of matching preferred terms      to the maximum
PodTopologySpread               see :mod:`spreading`                       see :mod:`spreading`
(SelectorSpreadPriority)
=============================== ========================================== ===================
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.kubernetes.cluster import (
    NodeState,
    PodWork,
    node_labels,
    normalized_image_name,
    selector_matches,
    tolerated,
)
from simulator.kubernetes.constants import (
    BALANCED_RESOURCE_ALLOCATION,
    BYTES_PER_MB,
    DEFAULT_MEMORY_REQUEST_BYTES,
    DEFAULT_MILLI_CPU_REQUEST,
    IMAGE_LOCALITY,
    IMAGE_LOCALITY_PRIORITY,
    IMAGE_MAX_CONTAINER_THRESHOLD_BYTES,
    IMAGE_MIN_THRESHOLD_BYTES,
    LEAST_ALLOCATED_CPU_WEIGHT,
    LEAST_ALLOCATED_MEMORY_WEIGHT,
    LEAST_REQUESTED_PRIORITY,
    NODE_AFFINITY,
    NODE_AFFINITY_PRIORITY,
    NODE_RESOURCES_BALANCED_ALLOCATION,
    NODE_RESOURCES_FIT,
    POD_TOPOLOGY_SPREAD,
    PREFER_NO_SCHEDULE,
    SELECTOR_SPREAD_PRIORITY,
    TAINT_TOLERATION,
    TAINT_TOLERATION_PRIORITY,
)
from simulator.kubernetes.profiles import KubeSchedulerSettings
from simulator.kubernetes.spreading import (
    SpreadScoreState,
    selector_spread_count,
    selector_spread_normalize,
    spread_normalize,
    spread_raw_score,
    spread_score_state,
)

# --- resources -----------------------------------------------------------------------------------


def nonzero_requested(node: NodeState, pod: PodWork) -> tuple[int, int]:
    """(millicores, bytes) on the node with the pod, unset requests counted as 100m / 200 MiB (§2.3)."""
    cpu = node.requested_cpu_milli + node.pods_without_cpu_request * DEFAULT_MILLI_CPU_REQUEST
    memory = node.requested_memory_mb * BYTES_PER_MB
    memory += node.pods_without_memory_request * DEFAULT_MEMORY_REQUEST_BYTES
    cpu += pod.cpu_milli or DEFAULT_MILLI_CPU_REQUEST
    memory += pod.memory_mb * BYTES_PER_MB if pod.memory_mb else DEFAULT_MEMORY_REQUEST_BYTES
    return cpu, memory


def requested_with_pod(node: NodeState, pod: PodWork) -> tuple[int, int]:
    """(millicores, bytes) of real requests on the node with the pod."""
    cpu = node.requested_cpu_milli + pod.cpu_milli
    memory = (node.requested_memory_mb + pod.memory_mb) * BYTES_PER_MB
    return cpu, memory


def least_requested(requested: int, capacity: int, max_score: int) -> int:
    """``(capacity − requested) × max / capacity``; 0 if nothing is allocatable or it is overcommitted."""
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * max_score // capacity


def least_allocated_score(node: NodeState, pod: PodWork, settings: KubeSchedulerSettings) -> int:
    """LeastAllocated (framework) / LeastRequestedPriority (2019), on non-zero requests (§2.3)."""
    max_score = settings.max_node_score
    cpu, memory = nonzero_requested(node, pod)
    allocatable_memory = node.allocatable_memory_mb * BYTES_PER_MB
    if settings.legacy:
        cpu_score = least_requested(cpu, node.allocatable_cpu_milli, max_score)
        return (cpu_score + least_requested(memory, allocatable_memory, max_score)) // 2
    total = weights = 0
    for requested, capacity, weight in (
        (cpu, node.allocatable_cpu_milli, LEAST_ALLOCATED_CPU_WEIGHT),
        (memory, allocatable_memory, LEAST_ALLOCATED_MEMORY_WEIGHT),
    ):
        if capacity == 0:
            continue
        total += least_requested(requested, capacity, max_score) * weight
        weights += weight
    return total // weights if weights else 0


def balanced_allocation_skipped(pod: PodWork, settings: KubeSchedulerSettings) -> bool:
    """The framework skips BalancedAllocation for a pod requesting no cpu or memory (§2.3)."""
    return not settings.legacy and pod.cpu_milli == 0 and pod.memory_mb == 0


def balanced_allocation_score(node: NodeState, pod: PodWork, settings: KubeSchedulerSettings) -> int:
    """BalancedAllocation: how close the cpu and memory fractions are after placing the pod (§2.3)."""
    allocatable = (node.allocatable_cpu_milli, node.allocatable_memory_mb * BYTES_PER_MB)
    if settings.legacy:
        requested = nonzero_requested(node, pod)
        fractions = [1.0 if cap == 0 else req / cap for req, cap in zip(requested, allocatable, strict=True)]
        if fractions[0] >= 1 or fractions[1] >= 1:
            return 0
        return int((1 - abs(fractions[0] - fractions[1])) * settings.max_node_score)
    requested = requested_with_pod(node, pod)
    fractions = [min(req / cap, 1.0) for req, cap in zip(requested, allocatable, strict=True) if cap != 0]
    std = abs((fractions[0] - fractions[1]) / 2) if len(fractions) == 2 else 0.0
    return int((1 - std) * settings.max_node_score)


# --- images ---------------------------------------------------------------------------------------


def image_node_counts(all_nodes: list[NodeState]) -> dict[str, int]:
    """How many nodes report each image (``ImageStateSummary.NumNodes``)."""
    counts: dict[str, int] = {}
    for node in all_nodes:
        for name in {normalized_image_name(image) for image in node.images}:
            counts[name] = counts.get(name, 0) + 1
    return counts


def image_locality_score(
    node: NodeState, pod: PodWork, counts: dict[str, int], total_nodes: int, settings: KubeSchedulerSettings
) -> int:
    """ImageLocality: sizes of the pod's images already on the node, scaled by how widespread they are."""
    present = {normalized_image_name(name): size for name, size in node.images.items()}
    total = 0
    for image in pod.images:
        name = normalized_image_name(image.name)
        if name in present:
            total += int(present[name] * BYTES_PER_MB * (counts[name] / total_nodes))
    # 2019 capped at 1000 MiB in all; the framework at 1000 MiB per container. A PodWork is at
    # least one container even if its image is not modelled.
    containers = 1 if settings.legacy else max(1, len(pod.images))
    high = IMAGE_MAX_CONTAINER_THRESHOLD_BYTES * containers
    clamped = min(max(total, IMAGE_MIN_THRESHOLD_BYTES), high)
    return (
        settings.max_node_score * (clamped - IMAGE_MIN_THRESHOLD_BYTES) // (high - IMAGE_MIN_THRESHOLD_BYTES)
    )


# --- taints and node affinity ---------------------------------------------------------------------


def intolerable_prefer_no_schedule(node: NodeState, pod: PodWork) -> int:
    """PreferNoSchedule taints not tolerated by the pod's PreferNoSchedule (or any-effect) tolerations."""
    tolerations = tuple(t for t in pod.tolerations if t.effect in ("", PREFER_NO_SCHEDULE))
    return sum(1 for t in node.taints if t.effect == PREFER_NO_SCHEDULE and not tolerated(tolerations, t))


def preferred_affinity_weight(node: NodeState, pod: PodWork) -> int:
    labels = node_labels(node)
    return sum(term.weight for term in pod.preferred_node_terms if selector_matches(term.labels, labels))


def default_normalize(scores: dict[str, int], max_score: int, reverse: bool) -> dict[str, int]:
    """``DefaultNormalizeScore`` (2019: ``NormalizeReduce``): scale to the maximum, optionally reversed."""
    highest = max(scores.values(), default=0)
    if highest == 0:
        return {name: max_score if reverse else score for name, score in scores.items()}
    normalized = {}
    for name, score in scores.items():
        scaled = max_score * score // highest
        normalized[name] = max_score - scaled if reverse else scaled
    return normalized


# --- putting it together --------------------------------------------------------------------------


@dataclass(slots=True)
class ScoreContext:
    """What the score plugins share in one cycle (their PreScore state)."""

    settings: KubeSchedulerSettings
    total_nodes: int
    image_counts: dict[str, int]
    spread: SpreadScoreState | None = None


def score_context(
    feasible: list[NodeState], all_nodes: list[NodeState], pod: PodWork, settings: KubeSchedulerSettings
) -> ScoreContext:
    spread = None if settings.legacy else spread_score_state(feasible, all_nodes, pod)
    return ScoreContext(settings, len(all_nodes), image_node_counts(all_nodes), spread)


def score_node(node: NodeState, pod: PodWork, context: ScoreContext) -> dict[str, int]:
    """Every score plugin's raw score for one node, before normalisation and weights."""
    settings = context.settings
    fit = least_allocated_score(node, pod, settings)
    balanced = (
        0 if balanced_allocation_skipped(pod, settings) else balanced_allocation_score(node, pod, settings)
    )
    images = image_locality_score(node, pod, context.image_counts, context.total_nodes, settings)
    taints = intolerable_prefer_no_schedule(node, pod)
    affinity = preferred_affinity_weight(node, pod)
    if settings.legacy:
        return {
            SELECTOR_SPREAD_PRIORITY: selector_spread_count(node, pod),
            LEAST_REQUESTED_PRIORITY: fit,
            BALANCED_RESOURCE_ALLOCATION: balanced,
            NODE_AFFINITY_PRIORITY: affinity,
            TAINT_TOLERATION_PRIORITY: taints,
            IMAGE_LOCALITY_PRIORITY: images,
        }
    spread = 0 if context.spread is None else spread_raw_score(node, context.spread)
    return {
        TAINT_TOLERATION: taints,
        NODE_AFFINITY: affinity,
        NODE_RESOURCES_FIT: fit,
        POD_TOPOLOGY_SPREAD: spread,
        NODE_RESOURCES_BALANCED_ALLOCATION: balanced,
        IMAGE_LOCALITY: images,
    }


def normalize_plugin(
    plugin: str, raw: dict[str, int], feasible: list[NodeState], context: ScoreContext
) -> dict[str, int]:
    """One plugin's NormalizeScore (Reduce) over the feasible nodes; identity where it has none."""
    max_score = context.settings.max_node_score
    if plugin in (TAINT_TOLERATION, TAINT_TOLERATION_PRIORITY):
        return default_normalize(raw, max_score, reverse=True)
    if plugin in (NODE_AFFINITY, NODE_AFFINITY_PRIORITY):
        return default_normalize(raw, max_score, reverse=False)
    if plugin == SELECTOR_SPREAD_PRIORITY:
        return selector_spread_normalize(feasible, raw)
    if plugin == POD_TOPOLOGY_SPREAD:
        # A skipped PreScore means the plugin scores 0 everywhere.
        return (
            dict.fromkeys(raw, 0) if context.spread is None else spread_normalize(raw, context.spread.ignored)
        )
    return dict(raw)


@dataclass(slots=True)
class NodeScores:
    """One node's scores: raw and normalised per plugin, weighted terms, and the total."""

    raw: dict[str, int] = field(default_factory=dict)
    normalized: dict[str, int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.terms.values())


def score_nodes(
    feasible: list[NodeState], all_nodes: list[NodeState], pod: PodWork, settings: KubeSchedulerSettings
) -> dict[str, NodeScores]:
    """Score, normalise and weigh every feasible node; ``all_nodes`` is the whole cluster."""
    context = score_context(feasible, all_nodes, pod, settings)
    raw_by_node = {node.name: score_node(node, pod, context) for node in feasible}
    results = {node.name: NodeScores(raw=raw_by_node[node.name]) for node in feasible}
    for plugin, weight in settings.weights.items():
        raw = {name: scores[plugin] for name, scores in raw_by_node.items()}
        for name, value in normalize_plugin(plugin, raw, feasible, context).items():
            results[name].normalized[plugin] = value
            results[name].terms[plugin] = value * weight
    return results
