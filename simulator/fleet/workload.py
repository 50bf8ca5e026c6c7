"""A fleet scenario's apps as arrays: every copy of every app, its instances and the push order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.scenario import AppSpec, Scenario


@dataclass(slots=True)
class FleetApps:
    """Every app the scenario pushes (copies expanded), indexed by app id.

    Instance ids run app by app: app ``a``'s instance ``i`` is ``first_instance[a] + i``.
    """

    templates: tuple[AppSpec, ...]
    template: np.ndarray  # int64: the scenario app each fleet app copies
    copy: np.ndarray  # int64: which copy it is
    instances: np.ndarray  # int64
    memory_mb: np.ndarray  # int64
    disk_mb: np.ndarray  # int64
    first_instance: np.ndarray  # int64, cumulative instances before the app
    push_at: np.ndarray  # float64: when its push action comes (inf: never pushed)
    push_order: np.ndarray  # int64 app ids, in the order the cf push sessions take them

    @property
    def count(self) -> int:
        return len(self.template)

    @property
    def instance_count(self) -> int:
        return int(self.instances.sum())

    def name(self, app: int) -> str:
        spec = self.templates[int(self.template[app])]
        return spec.name if spec.copies == 1 else f"{spec.name}-{int(self.copy[app])}"

    def find(self, name: str) -> int | None:
        """The app id of ``name`` (``web`` or ``web-17``), or None."""
        for position, spec in enumerate(self.templates):
            if spec.copies == 1:
                if name == spec.name:
                    return self._id(position, 0)
                continue
            prefix, _, number = name.rpartition("-")
            if prefix == spec.name and number.isdigit() and int(number) < spec.copies:
                if number != str(int(number)):
                    return None
                return self._id(position, int(number))
        return None

    def _id(self, template: int, copy: int) -> int:
        starts = np.concatenate(([0], np.cumsum([t.copies for t in self.templates])))
        return int(starts[template]) + copy

    def app_of_instance(self, instance: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.first_instance, instance, side="right") - 1


def fleet_apps(scenario: Scenario) -> FleetApps:
    templates = scenario.apps
    copies = np.array([t.copies for t in templates], dtype=np.int64)
    template = np.repeat(np.arange(len(templates), dtype=np.int64), copies)
    starts = np.concatenate(([0], np.cumsum(copies)))[:-1]
    copy = np.arange(len(template), dtype=np.int64) - np.repeat(starts, copies)

    def column(attribute: str) -> np.ndarray:
        return np.array([getattr(t, attribute) for t in templates], dtype=np.int64)[template]

    instances = column("instances")
    first_instance = np.concatenate(([0], np.cumsum(instances)))[:-1].astype(np.int64)
    # A template's first push action pushes every copy of it (a second push is the same app).
    pushed_at = {}
    for action in scenario.timeline:
        if action.action == "push" and action.app not in pushed_at:
            pushed_at[action.app] = action.at
    template_push = np.array([pushed_at.get(t.name, np.inf) for t in templates], dtype=np.float64)
    push_at = template_push[template]
    pushed = np.flatnonzero(np.isfinite(push_at))
    # One push of a mix is copy k of every app pushed at that moment: sessions take the apps by
    # push time, then copy, then the scenario's order.
    order = np.lexsort((template[pushed], copy[pushed], push_at[pushed]))
    return FleetApps(
        templates=templates,
        template=template,
        copy=copy,
        instances=instances,
        memory_mb=column("memory_mb"),
        disk_mb=column("disk_mb"),
        first_instance=first_instance,
        push_at=push_at,
        push_order=pushed[order].astype(np.int64),
    )
