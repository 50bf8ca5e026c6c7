"""Spreading a StatefulSet's pods: PodTopologySpread (framework) and SelectorSpreadPriority (2019).

Both count, per node and per zone, the pods matched by the selector of the pod's owner (for
Eirini, the StatefulSet selector, §1.3), leaving out terminating pods, and favour the nodes and
zones with fewer of them (§2.2, §2.3).

* PodTopologySpread: with no constraints of its own, a pod owned by a StatefulSet gets the two
  soft system defaults (hostname maxSkew 3, zone maxSkew 5). Per constraint, a node's raw score is
  ``matching pods in its domain × log(domains + 2) + (maxSkew − 1)``, summed and rounded; then
  ``100 × (max + min − s) / max`` (``podtopologyspread/scoring.go``). Explicit ``DoNotSchedule``
  constraints filter: ``matching in the node's domain + self − global minimum ≤ maxSkew``
  (``filtering.go``).
* SelectorSpreadPriority (not detailed in the reference; ``priorities/selector_spreading.go``,
  v1.14): ``10 × (maxNode − count) / maxNode``, blended one third / two thirds with the same
  formula over zones when the feasible nodes carry zone labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from simulator.kubernetes.cluster import (
    NodeState,
    PodWork,
    SpreadConstraint,
    matching_pod_count,
    node_labels,
    selector_matches,
)
from simulator.kubernetes.constants import (
    DO_NOT_SCHEDULE,
    LABEL_HOSTNAME,
    LABEL_ZONE,
    MAX_NODE_SCORE,
    MAX_PRIORITY_LEGACY,
    REASON_SPREAD_CONSTRAINTS,
    REASON_SPREAD_MISSING_LABEL,
    SCHEDULE_ANYWAY,
    SELECTOR_SPREAD_ZONE_WEIGHTING,
    SYSTEM_DEFAULT_HOSTNAME_MAX_SKEW,
    SYSTEM_DEFAULT_ZONE_MAX_SKEW,
)


def system_default_constraints(pod: PodWork) -> tuple[SpreadConstraint, ...]:
    """The two soft defaults for a pod with an owner selector; none for a pod without one (§2.2)."""
    if not pod.owner_selector:
        return ()
    selector = dict(pod.owner_selector)
    return (
        SpreadConstraint(SYSTEM_DEFAULT_HOSTNAME_MAX_SKEW, LABEL_HOSTNAME, SCHEDULE_ANYWAY, selector),
        SpreadConstraint(SYSTEM_DEFAULT_ZONE_MAX_SKEW, LABEL_ZONE, SCHEDULE_ANYWAY, selector),
    )


def hard_constraints(pod: PodWork) -> tuple[SpreadConstraint, ...]:
    return tuple(c for c in pod.spread_constraints if c.when_unsatisfiable == DO_NOT_SCHEDULE)


def soft_constraints(pod: PodWork) -> tuple[SpreadConstraint, ...]:
    """The pod's own ScheduleAnyway constraints, or the system defaults if it declares none at all."""
    if pod.spread_constraints:
        return tuple(c for c in pod.spread_constraints if c.when_unsatisfiable == SCHEDULE_ANYWAY)
    return system_default_constraints(pod)


def _has_keys(labels: dict[str, str], constraints: tuple[SpreadConstraint, ...]) -> bool:
    return all(c.topology_key in labels for c in constraints)


# --- PodTopologySpread: Filter ---------------------------------------------------------------------


@dataclass(slots=True)
class SpreadFilterState:
    """PreFilter's counts: per hard constraint, matching pods per topology value."""

    constraints: tuple[SpreadConstraint, ...] = ()
    match_num: list[dict[str, int]] = field(default_factory=list)


def spread_filter_state(all_nodes: list[NodeState], pod: PodWork) -> SpreadFilterState:
    """Count matching pods per domain over the nodes that pass the pod's node selector and carry every key."""
    constraints = hard_constraints(pod)
    match_num: list[dict[str, int]] = [{} for _ in constraints]
    for node in all_nodes:
        labels = node_labels(node)
        if not constraints or not selector_matches(pod.node_selector, labels):
            continue
        if not _has_keys(labels, constraints):
            continue
        for i, c in enumerate(constraints):
            value = labels[c.topology_key]
            match_num[i][value] = match_num[i].get(value, 0) + matching_pod_count(node, c.selector)
    return SpreadFilterState(constraints, match_num)


def spread_filter_reasons(node: NodeState, pod: PodWork, state: SpreadFilterState) -> list[str]:
    """The Filter verdict: a missing topology label, or a skew above maxSkew (minDomains 1)."""
    labels = node_labels(node)
    if not _has_keys(labels, state.constraints):
        return [REASON_SPREAD_MISSING_LABEL]
    for i, c in enumerate(state.constraints):
        domains = state.match_num[i]
        # With no eligible domain at all, the global minimum counts as 0 (fewer domains than minDomains).
        min_match = min(domains.values()) if domains else 0
        self_match = 1 if selector_matches(c.selector, pod.labels) else 0
        skew = domains.get(labels[c.topology_key], 0) + self_match - min_match
        if skew > c.max_skew:
            return [REASON_SPREAD_CONSTRAINTS]
    return []


# --- PodTopologySpread: Score ----------------------------------------------------------------------


@dataclass(slots=True)
class SpreadScoreState:
    """PreScore's state: the soft constraints, their weights, the per-zone counts and ignored nodes."""

    constraints: tuple[SpreadConstraint, ...]
    weights: list[float]
    counts: list[dict[str, int]]
    ignored: set[str]


def topology_normalizing_weight(domains: int) -> float:
    """``log(domains + 2)``: a constraint with more domains weighs more (§2.3)."""
    return math.log(domains + 2)


def spread_score_state(
    feasible: list[NodeState], all_nodes: list[NodeState], pod: PodWork
) -> SpreadScoreState | None:
    """PreScore, or ``None`` when the plugin skips (no soft constraint: every node then scores 0)."""
    constraints = soft_constraints(pod)
    if not constraints:
        return None
    # Only explicit constraints require every topology key; with the system defaults a node
    # without a zone label still gets hostname spreading.
    require_all = bool(pod.spread_constraints)
    ignored: set[str] = set()
    counts: list[dict[str, int]] = [{} for _ in constraints]
    for node in feasible:
        labels = node_labels(node)
        if require_all and not _has_keys(labels, constraints):
            ignored.add(node.name)
            continue
        for i, c in enumerate(constraints):
            if c.topology_key != LABEL_HOSTNAME:
                # A node without the key registers the empty value as a domain, as the real code does.
                counts[i].setdefault(labels.get(c.topology_key, ""), 0)
    weights = []
    for i, c in enumerate(constraints):
        size = len(feasible) - len(ignored) if c.topology_key == LABEL_HOSTNAME else len(counts[i])
        weights.append(topology_normalizing_weight(size))
    for node in all_nodes:
        labels = node_labels(node)
        if not selector_matches(pod.node_selector, labels):
            continue
        if require_all and not _has_keys(labels, constraints):
            continue
        for i, c in enumerate(constraints):
            value = labels.get(c.topology_key, "")
            if c.topology_key != LABEL_HOSTNAME and value in counts[i]:
                counts[i][value] += matching_pod_count(node, c.selector)
    return SpreadScoreState(constraints, weights, counts, ignored)


def _round_half_away(value: float) -> int:
    """Go's ``math.Round`` for the non-negative values spreading produces."""
    return math.floor(value + 0.5)


def spread_raw_score(node: NodeState, state: SpreadScoreState) -> int:
    """Σ over the constraints whose key the node has: count × weight + (maxSkew − 1), rounded."""
    if node.name in state.ignored:
        return 0
    labels = node_labels(node)
    score = 0.0
    for i, c in enumerate(state.constraints):
        if c.topology_key not in labels:
            continue
        if c.topology_key == LABEL_HOSTNAME:
            count = matching_pod_count(node, c.selector)
        else:
            count = state.counts[i][labels[c.topology_key]]
        score += count * state.weights[i] + (c.max_skew - 1)
    return _round_half_away(score)


def spread_normalize(raw: dict[str, int], ignored: set[str]) -> dict[str, int]:
    """``100 × (max + min − s) / max``; 100 for all if max is 0; 0 for ignored nodes."""
    counted = [score for name, score in raw.items() if name not in ignored]
    if not counted:
        return dict.fromkeys(raw, 0)
    low, high = min(counted), max(counted)
    normalized = {}
    for name, score in raw.items():
        if name in ignored:
            normalized[name] = 0
        elif high == 0:
            normalized[name] = MAX_NODE_SCORE
        else:
            normalized[name] = MAX_NODE_SCORE * (high + low - score) // high
    return normalized


# --- SelectorSpreadPriority (2019) -----------------------------------------------------------------


def selector_spread_count(node: NodeState, pod: PodWork) -> int:
    """The Map step: pods on the node matched by the owner's selector (0 for a pod without owner)."""
    return matching_pod_count(node, pod.owner_selector)


def selector_spread_normalize(feasible: list[NodeState], counts: dict[str, int]) -> dict[str, int]:
    """The Reduce step over the feasible nodes: node spreading blended with zone spreading."""
    max_by_node = max(counts.values(), default=0)
    by_zone: dict[str, int] = {}
    for node in feasible:
        if node.zone:
            by_zone[node.zone] = by_zone.get(node.zone, 0) + counts[node.name]
    max_by_zone = max(by_zone.values(), default=0)
    top = float(MAX_PRIORITY_LEGACY)
    normalized = {}
    for node in feasible:
        score = top
        if max_by_node > 0:
            score = top * ((max_by_node - counts[node.name]) / max_by_node)
        if by_zone and node.zone:
            zone_score = top
            if max_by_zone > 0:
                zone_score = top * ((max_by_zone - by_zone[node.zone]) / max_by_zone)
            score = (score * (1.0 - SELECTOR_SPREAD_ZONE_WEIGHTING)) + (
                SELECTOR_SPREAD_ZONE_WEIGHTING * zone_score
            )
        normalized[node.name] = int(score)
    return normalized
