"""Which nodes a scheduling cycle looks at: percentageOfNodesToScore and the rotating start (§2.4).

The scheduler stops filtering once it has found ``numFeasibleNodesToFind`` feasible nodes: all of
them below 100 nodes, otherwise ``max(100, n × p / 100)`` with the adaptive ``p = 50 − n/125``
floored at 5 % (or the configured percentage). The scan starts at ``nextStartNodeIndex`` and wraps
around; after the cycle that index moves on by the number of nodes examined, so successive pods
start where the previous one stopped.

The node list itself is the scheduler cache's ``nodeTree`` order (not in the reference;
``internal/cache/node_tree.go``): zones in the order their first node appeared, taking one node
from each zone in turn, so a sample spans the zones. The real filter runs on 16 goroutines and may
examine a few extra nodes before it notices it has enough; cfviz scans one node at a time and
stops exactly there, which keeps runs deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.kubernetes.cluster import NodeState
from simulator.kubernetes.constants import (
    ADAPTIVE_BASE_PERCENTAGE,
    ADAPTIVE_NODES_PER_PERCENT,
    MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND,
    MIN_FEASIBLE_NODES_TO_FIND,
)


@dataclass(slots=True)
class SamplingState:
    """The scheduler's one piece of state between cycles: where the next filter scan starts."""

    next_start_node_index: int = 0


def adaptive_percentage(num_all_nodes: int) -> int:
    """``50 − n/125`` (integer division), at least 5."""
    percentage = ADAPTIVE_BASE_PERCENTAGE - num_all_nodes // ADAPTIVE_NODES_PER_PERCENT
    return max(percentage, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)


def nodes_to_score(num_all_nodes: int, percentage: int = 0) -> int:
    """``numFeasibleNodesToFind``: how many feasible nodes end the filter scan (0 = adaptive)."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND or percentage >= 100:
        return num_all_nodes
    if percentage <= 0:
        percentage = adaptive_percentage(num_all_nodes)
    return max(num_all_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


def scan_order(nodes: list[NodeState]) -> list[NodeState]:
    """``nodeTree.list()``: one node per zone in turn, zones in order of first appearance."""
    zones: dict[str, list[NodeState]] = {}
    for node in nodes:
        zones.setdefault(node.zone, []).append(node)
    ordered: list[NodeState] = []
    depth = max((len(members) for members in zones.values()), default=0)
    for position in range(depth):
        ordered.extend(members[position] for members in zones.values() if position < len(members))
    return ordered


def scan_positions(num_nodes: int, start: int) -> list[int]:
    """Indices into the scan order, starting at ``start`` and wrapping around."""
    if num_nodes == 0:
        return []
    start %= num_nodes
    return [(start + i) % num_nodes for i in range(num_nodes)]
