"""The two scheduler configurations cfviz models, and the settings that choose between them.

``legacy-2019`` is the default algorithm provider Eirini ran on in 2019 (Kubernetes v1.13–v1.16,
§2.2; cfviz follows v1.14–v1.16, which sample nodes adaptively, §2.4): predicates, then
priorities scored 0–10, every weight 1, SelectorSpreadPriority spreading a StatefulSet's pods
over nodes and zones. ``framework`` is the current scheduling framework's default profile (§2.2,
about v1.29–v1.31): filter and score plugins scored 0–100, weights 1 to 3, PodTopologySpread's
system defaults spreading StatefulSet pods.

The default is ``legacy-2019``: the talk cfviz is built around was given at CF Summit EU in
September 2019 (talk.md) and compares Diego with Eirini as it ran then, before the 0–100 range
shipped in v1.17 (§2.2, kubernetes/kubernetes PR #83522).

Known differences from a real 2019 scheduler, kept because the reference says otherwise or to
keep one behaviour for both modes: ties are broken by reservoir sampling as §2.4 says (v1.16 and
later; v1.14–v1.15 went round-robin over the tied nodes, kubernetes/kubernetes PR #78009), and the
queue's leftover flush defaults to the reference's 5 minutes (v1.21 and earlier used 60 s, see
``LEGACY_UNSCHEDULABLE_Q_TIME_INTERVAL_S``).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.kubernetes.constants import (
    DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE,
    FRAMEWORK_FILTERS,
    FRAMEWORK_WEIGHTS,
    LEGACY_FILTERS,
    LEGACY_WEIGHTS,
    MAX_NODE_SCORE,
    MAX_PRIORITY_LEGACY,
    MODE_FRAMEWORK,
    MODE_LEGACY,
    MODES,
)


@dataclass(frozen=True, slots=True)
class KubeSchedulerSettings:
    """kube-scheduler's configuration as far as cfviz models it.

    ``percentage_of_nodes_to_score``: ``None`` or 0 is the adaptive default (§2.4); 1–100 fixes it.
    """

    mode: str = MODE_LEGACY
    percentage_of_nodes_to_score: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown kube-scheduler mode {self.mode!r} (known: {', '.join(MODES)})")
        percentage = self.percentage_of_nodes_to_score
        if percentage is not None and not 0 <= percentage <= 100:
            raise ValueError(f"percentage_of_nodes_to_score must be 0 to 100, not {percentage}")

    @property
    def legacy(self) -> bool:
        return self.mode == MODE_LEGACY

    @property
    def percentage(self) -> int:
        if self.percentage_of_nodes_to_score is None:
            return DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE
        return self.percentage_of_nodes_to_score

    @property
    def max_node_score(self) -> int:
        return MAX_PRIORITY_LEGACY if self.legacy else MAX_NODE_SCORE

    @property
    def filters(self) -> tuple[str, ...]:
        return LEGACY_FILTERS if self.legacy else FRAMEWORK_FILTERS

    @property
    def weights(self) -> dict[str, int]:
        """Score plugin → weight, in the order the profile runs them."""
        return dict(LEGACY_WEIGHTS if self.legacy else FRAMEWORK_WEIGHTS)


LEGACY = KubeSchedulerSettings(MODE_LEGACY)
FRAMEWORK = KubeSchedulerSettings(MODE_FRAMEWORK)
