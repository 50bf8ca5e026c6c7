"""kube-scheduler's scheduling cycle for one pod: sample, filter, score, pick, assume (§2.1–§2.4).

:func:`schedule_pod` is pure apart from two documented updates: the winner gets the pod assumed
onto it (:func:`~simulator.kubernetes.cluster.assume`, so the next cycle sees it) and the
:class:`~simulator.kubernetes.sampling.SamplingState` moves its start index on. Randomness comes
only from the ``rng`` passed in, and only to break ties.

Every call returns a :class:`KubePlacement` that explains itself. It maps onto the ``decision``
record of ``docs/protocol.md`` through :meth:`KubePlacement.decision_fields`; the record carries
``work`` (``app/index``), ``work_type`` ``"pod"``, ``pod``, ``app``, ``index``, ``round`` (the
scheduling cycle, if given), ``winner``, ``error`` (``FailedScheduling`` text or null), ``mode``,
``cpu_milli``, ``memory_mb``, ``disk_mb``, ``node_selector``, ``weights`` (plugin → weight),
``max_node_score`` (10 or 100), ``higher_wins`` (true, unlike Diego), ``nodes_total``,
``nodes_to_find`` (numFeasibleNodesToFind), ``nodes_examined``, ``feasible``, ``start_index``,
``zone_counts`` (pods of the pod's owner per zone before placement), ``tied`` (nodes sharing the
top total) and ``candidates``, one row per node in the order of ``nodes``:

``cell``
    node name (the key Diego's rows use);
``zone``
    the node's zone ("" for none);
``verdict``
    ``"ok"``, the first filter plugin that rejected the node (e.g. ``"NodeResourcesFit"``,
    ``"GeneralPredicates"``), or ``"not sampled"``;
``reason``
    the rejecting plugin's reasons joined by ", " (Kubernetes texts); for ``ok`` rows either ""
    or a note that scoring was skipped; for ``not sampled`` rows our own explanation;
``reasons``
    the same reasons as a list (each counts once in the FailedScheduling message);
``filters``
    every filter plugin that ran on the node, in order → ``"ok"`` or its reasons;
``raw`` / ``normalized`` / ``terms``
    per score plugin: raw score, score after NormalizeScore (0 to ``max_node_score``), and that
    times the weight; empty unless the node was scored;
``score``
    the weighted total (sum of ``terms``), or null;
``sampled``
    whether the filter scan reached the node;
``order``
    its position in this cycle's scan (0 = examined first), or null.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from simulator.kubernetes.cluster import NodeState, PodWork, assume, matching_pod_count
from simulator.kubernetes.constants import ERROR_NO_NODES_AVAILABLE, VERDICT_NOT_SAMPLED, VERDICT_OK
from simulator.kubernetes.filters import filter_node, fit_error
from simulator.kubernetes.profiles import KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState, nodes_to_score, scan_order, scan_positions
from simulator.kubernetes.scores import score_nodes
from simulator.kubernetes.spreading import SpreadFilterState, spread_filter_state

NOTE_ONLY_FEASIBLE = "the only feasible node: scoring skipped"


@dataclass(slots=True)
class KubeCandidate:
    """One node as the scheduler saw it for one pod."""

    cell: str
    zone: str
    verdict: str
    reason: str = ""
    reasons: list[str] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    raw: dict[str, int] = field(default_factory=dict)
    normalized: dict[str, int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    score: int | None = None
    sampled: bool = True
    order: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "zone": self.zone,
            "verdict": self.verdict,
            "reason": self.reason,
            "reasons": list(self.reasons),
            "filters": dict(self.filters),
            "raw": dict(self.raw),
            "normalized": dict(self.normalized),
            "terms": dict(self.terms),
            "score": self.score,
            "sampled": self.sampled,
            "order": self.order,
        }


@dataclass(slots=True)
class KubePlacement:
    """The outcome of one scheduling cycle: the winner or the FailedScheduling message, explained."""

    pod: PodWork
    winner: str | None
    error: str | None
    candidates: list[KubeCandidate]
    settings: KubeSchedulerSettings
    nodes_total: int = 0
    nodes_to_find: int = 0
    nodes_examined: int = 0
    feasible: int = 0
    start_index: int = 0
    tied: int = 0
    zone_counts: dict[str, int] = field(default_factory=dict)

    @property
    def unschedulable_plugins(self) -> set[str]:
        """The filter plugins that rejected some node (what the queue would record)."""
        return {c.verdict for c in self.candidates if c.verdict not in (VERDICT_OK, VERDICT_NOT_SAMPLED)}

    def candidate(self, node: str) -> KubeCandidate:
        return next(c for c in self.candidates if c.cell == node)

    def decision_fields(self, cycle: int | None = None) -> dict[str, Any]:
        """The ``decision`` record's fields (without ``seq``, ``t`` and ``kind``)."""
        pod = self.pod
        return {
            "work": pod.key,
            "work_type": "pod",
            "pod": pod.name,
            "app": pod.app,
            "index": pod.ordinal,
            "round": cycle,
            "winner": self.winner,
            "error": self.error,
            "mode": self.settings.mode,
            "cpu_milli": pod.cpu_milli,
            "memory_mb": pod.memory_mb,
            "disk_mb": pod.ephemeral_mb,
            "node_selector": dict(pod.node_selector),
            "weights": self.settings.weights,
            "max_node_score": self.settings.max_node_score,
            "higher_wins": True,
            "nodes_total": self.nodes_total,
            "nodes_to_find": self.nodes_to_find,
            "nodes_examined": self.nodes_examined,
            "feasible": self.feasible,
            "start_index": self.start_index,
            "zone_counts": dict(self.zone_counts),
            "tied": self.tied,
            "candidates": [c.to_dict() for c in self.candidates],
        }


def select_host(names: list[str], totals: dict[str, int], rng: random.Random) -> tuple[str, int]:
    """``selectHost``: the highest total wins; ties by reservoir sampling, each with chance 1/k (§2.4).

    Returns the winner and how many nodes shared its total. The generator is drawn from only
    when a tie is met, as in the Go code.
    """
    selected = names[0]
    best = totals[selected]
    tied = 1
    for name in names[1:]:
        total = totals[name]
        if total > best:
            selected, best, tied = name, total, 1
        elif total == best:
            tied += 1
            if rng.randrange(tied) == 0:
                selected = name
    return selected, tied


def zone_counts(nodes: list[NodeState], pod: PodWork) -> dict[str, int]:
    """Pods of the pod's owner per zone (every zone listed, 0 included); empty for an ownerless pod."""
    if not pod.owner_selector:
        return {}
    counts: dict[str, int] = {}
    for node in nodes:
        if node.zone:
            counts[node.zone] = counts.get(node.zone, 0) + matching_pod_count(node, pod.owner_selector)
    return counts


def _reasons_text(reasons: list[str]) -> str:
    return ", ".join(reasons) if reasons else VERDICT_OK


@dataclass(slots=True)
class FilterScan:
    """What the filter phase found: a row per examined node, the feasible nodes, the rejections."""

    candidates: dict[str, KubeCandidate] = field(default_factory=dict)
    feasible: list[NodeState] = field(default_factory=list)
    rejections: list[list[str]] = field(default_factory=list)


def filter_scan(
    nodes: list[NodeState], pod: PodWork, settings: KubeSchedulerSettings, start: int, to_find: int
) -> FilterScan:
    """Filter nodes in node-tree order from ``start``, wrapping, until ``to_find`` are feasible (§2.4)."""
    order = scan_order(nodes)
    spread = SpreadFilterState() if settings.legacy else spread_filter_state(nodes, pod)
    scan = FilterScan()
    for position, index in enumerate(scan_positions(len(order), start)):
        node = order[index]
        result = filter_node(node, pod, settings, spread)
        scan.candidates[node.name] = KubeCandidate(
            node.name,
            node.zone,
            result.failed_plugin or VERDICT_OK,
            ", ".join(result.reasons),
            list(result.reasons),
            {plugin: _reasons_text(reasons) for plugin, reasons in result.verdicts.items()},
            order=position,
        )
        if not result.passed:
            scan.rejections.append(result.reasons)
            continue
        scan.feasible.append(node)
        if len(scan.feasible) >= to_find:
            break
    return scan


def schedule_pod(
    nodes: list[NodeState],
    pod: PodWork,
    settings: KubeSchedulerSettings,
    state: SamplingState,
    rng: random.Random,
) -> KubePlacement:
    """One scheduling cycle for ``pod`` over the whole cluster ``nodes`` (in the order they were added).

    Filters nodes from ``state.next_start_node_index`` in the node-tree order until enough are
    feasible, scores them (unless only one is), picks the best with a random tie-break, assumes
    the pod onto it and advances ``state``. Without any feasible node the placement carries the
    FailedScheduling message and nothing is assumed.
    """
    total = len(nodes)
    placement = KubePlacement(
        pod, None, None, [], settings, nodes_total=total, zone_counts=zone_counts(nodes, pod)
    )
    if total == 0:
        placement.error = ERROR_NO_NODES_AVAILABLE
        return placement

    start = state.next_start_node_index % total
    to_find = nodes_to_score(total, settings.percentage)
    scan = filter_scan(nodes, pod, settings, start, to_find)
    examined = len(scan.candidates)
    state.next_start_node_index = (start + examined) % total
    placement.start_index, placement.nodes_to_find, placement.nodes_examined = start, to_find, examined
    placement.feasible = len(scan.feasible)
    unsampled = f"not examined: the scan had found {to_find} feasible nodes"
    placement.candidates = [
        scan.candidates.get(node.name)
        or KubeCandidate(node.name, node.zone, VERDICT_NOT_SAMPLED, unsampled, sampled=False)
        for node in nodes
    ]
    if not scan.feasible:
        placement.error = fit_error(total, scan.rejections)
        return placement

    winner, tied = scan.feasible[0], 1
    if len(scan.feasible) == 1:
        scan.candidates[winner.name].reason = NOTE_ONLY_FEASIBLE
    else:
        scores = score_nodes(scan.feasible, nodes, pod, settings)
        for name, node_scores in scores.items():
            candidate = scan.candidates[name]
            candidate.raw, candidate.normalized = node_scores.raw, node_scores.normalized
            candidate.terms, candidate.score = node_scores.terms, node_scores.total
        totals = {name: node_scores.total for name, node_scores in scores.items()}
        winner_name, tied = select_host([n.name for n in scan.feasible], totals, rng)
        winner = next(n for n in scan.feasible if n.name == winner_name)
    assume(winner, pod)
    placement.winner, placement.tied = winner.name, tied
    return placement
