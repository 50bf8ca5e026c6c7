"""What a fleet run has decided so far: per-instance and per-app times, and the per-cell view.

Every array is written once per entry, when the platform decides it (a time may lie in the
future of the simulated clock: a container's start is known when it is placed). So any moment up
to the clock is read back from the arrays without re-simulating: that is how fleet runs seek.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.fleet.workload import FleetApps

INF = np.inf


def _never(size: int) -> np.ndarray:
    return np.full(size, INF, dtype=np.float64)


@dataclass(slots=True)
class Layout:
    """The cells (or nodes) of a fleet run, for the fleet view's tiles."""

    names: list[str]
    zones: list[str]
    memory_mb: np.ndarray
    disk_mb: np.ndarray
    containers: np.ndarray

    def to_dict(self) -> dict[str, object]:
        return {
            "nodes": list(self.names),
            "zones": list(self.zones),
            "capacity": {
                "memory_mb": self.memory_mb.tolist(),
                "disk_mb": self.disk_mb.tolist(),
                "containers": self.containers.tolist(),
            },
        }


@dataclass(slots=True)
class Trace:
    """Per instance: where it runs and when it was desired, placed and running; per app: staging.

    ``stamps`` holds further per-instance times a platform keeps (``created``, ``download``,
    ``pull``...) so its queues can be counted at any moment.
    """

    apps: FleetApps
    node: np.ndarray
    desired_at: np.ndarray
    placed_at: np.ndarray
    running_at: np.ndarray
    memory_mb: np.ndarray
    disk_mb: np.ndarray
    stamps: dict[str, np.ndarray] = field(default_factory=dict)
    # Staging, per app: requested, placed on ``staging_node``, droplet ready (``staged_at``).
    staging_requested_at: np.ndarray = field(default_factory=lambda: np.empty(0))
    staging_placed_at: np.ndarray = field(default_factory=lambda: np.empty(0))
    staged_at: np.ndarray = field(default_factory=lambda: np.empty(0))
    staging_node: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    staging_memory_mb: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    staging_disk_mb: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    staging_failed_at: np.ndarray = field(default_factory=lambda: np.empty(0))
    all_running_at: np.ndarray = field(default_factory=lambda: np.empty(0))
    # Scheduling rounds (Diego) or cycles (Kubernetes): when each happened and what it placed.
    round_at: list[float] = field(default_factory=list)
    round_placed: list[int] = field(default_factory=list)
    round_failed: list[int] = field(default_factory=list)
    round_ties: list[int] = field(default_factory=list)
    placement_failures: int = 0

    @classmethod
    def empty(cls, apps: FleetApps, stamp_names: tuple[str, ...]) -> Trace:
        n = apps.instance_count
        per_instance_app = np.repeat(np.arange(apps.count), apps.instances)
        return cls(
            apps=apps,
            node=np.full(n, -1, dtype=np.int64),
            desired_at=_never(n),
            placed_at=_never(n),
            running_at=_never(n),
            memory_mb=apps.memory_mb[per_instance_app],
            disk_mb=apps.disk_mb[per_instance_app],
            stamps={name: _never(n) for name in stamp_names},
            staging_requested_at=_never(apps.count),
            staging_placed_at=_never(apps.count),
            staged_at=_never(apps.count),
            staging_node=np.full(apps.count, -1, dtype=np.int64),
            staging_memory_mb=np.zeros(apps.count, dtype=np.int64),
            staging_disk_mb=np.zeros(apps.count, dtype=np.int64),
            staging_failed_at=_never(apps.count),
            all_running_at=_never(apps.count),
        )

    def instances_of(self, app: int) -> slice:
        first = int(self.apps.first_instance[app])
        return slice(first, first + int(self.apps.instances[app]))

    def pushed_instances(self, t: float) -> int:
        return int(np.count_nonzero(self.desired_at <= t))

    def nodes_of(self, app: int, t: float) -> list[tuple[int, int]]:
        """(node, instances) of ``app`` placed by ``t``, most first."""
        part = self.instances_of(app)
        placed = self.placed_at[part] <= t
        nodes, counts = np.unique(self.node[part][placed], return_counts=True)
        return sorted(zip(nodes.tolist(), counts.tolist(), strict=True), key=lambda p: (-p[1], p[0]))

    def apps_on(self, node: int, t: float) -> list[tuple[int, int, int]]:
        """(app, instances, lowest instance index) placed on ``node`` by ``t``, most first."""
        here = np.flatnonzero((self.node == node) & (self.placed_at <= t))
        of_app = self.apps.app_of_instance(here)
        # ``here`` ascends and instances of an app are consecutive: the first of each is its lowest.
        apps, first, counts = np.unique(of_app, return_index=True, return_counts=True)
        lowest = here[first] - self.apps.first_instance[apps]
        rows = zip(apps.tolist(), counts.tolist(), lowest.tolist(), strict=True)
        return sorted(rows, key=lambda p: (-p[1], p[0]))
