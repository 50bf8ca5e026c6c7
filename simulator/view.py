"""The view state: what a viewer sees of a run, as a fold of its event records.

The server keeps one :class:`ViewState` per live run and sends it as the snapshot a late or
resyncing client starts from; the browser applies the same records the same way
(``static/cfviz/js/view_state.js``). It depends only on the records, never on model internals,
so a replayed log gives the same picture.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any

from simulator.records import Record
from simulator.scenario import Scenario

LOG_LINES_KEPT = 300
GONE_STATES = {"instance": "REMOVED", "task": "DELETED"}
# Apps whose desired instances count towards "desired" on the comparison strip.
STARTED_STATES = {"STARTING", "RUNNING"}
BUSY_STATES = {"PUSHING", "STAGING", "STARTING"}


class ViewState:
    def __init__(
        self, scenario: Scenario, platform: str = "diego", notes: dict[str, str] | None = None
    ) -> None:
        self.platform = platform
        self.notes = dict(notes or {})
        # The comparison strip: [t, desired, running, routable] whenever one of them changes.
        self.series: list[list[float]] = [[0.0, 0, 0, 0]]
        self.headline: dict[str, float | None] = {"first_routable_at": None, "all_running_at": None}
        # Availability, measured from each app's first moment with every instance routable.
        self.outages: list[list[Any]] = []  # [app, start, end or None]
        self.metrics: dict[str, Any] = {
            "unavailable_s": 0.0,
            "longest_outage_s": 0.0,
            "below_desired_s": 0.0,
            # What is below desired now, and since when, so a viewer can extend the integral.
            "below_desired_now": 0,
            "below_desired_since": 0.0,
            "convergence": [],
        }
        self.actions: list[dict[str, Any]] = []
        # Every (entity type, entity, state) an app or cell has been in: narration steps wait
        # for the first moment of one. Server-side only; viewers get the steps reached.
        self.seen: set[tuple[str, str, str]] = set()
        self._available_once: set[str] = set()
        self.t = 0.0
        self.seq = -1
        self.zones = list(scenario.zones)
        self.cells: dict[str, dict[str, Any]] = {
            c.name: {
                "name": c.name,
                "zone": c.zone,
                "memory_mb": c.memory_mb,
                "disk_mb": c.disk_mb,
                "max_containers": c.max_containers,
                "stacks": list(c.stacks),
                "placement_tags": list(c.placement_tags),
                "memory_used": 0,
                "disk_used": 0,
                "containers_used": 0,
                "starting": 0,
                "state": "ok",
            }
            for c in scenario.cells
        }
        self.apps: dict[str, dict[str, Any]] = {
            a.name: {"state": "NEW", "desired": a.instances, "running": 0, "route": a.hostname}
            for a in scenario.apps
        }
        self.instances: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.routes: dict[str, dict[str, Any]] = {}
        self.components: dict[str, str] = {}
        self.decisions: dict[str, Record] = {}
        self.logs: deque[Record] = deque(maxlen=LOG_LINES_KEPT)

    def apply(self, record: Record) -> None:
        self.seq = record["seq"]
        self.t = max(self.t, record["t"])
        kind = record["kind"]
        if kind == "state":
            self._apply_state(record)
        elif kind == "log":
            self.logs.append(record)
        elif kind == "decision":
            self.decisions[record["work"]] = record

    def apply_all(self, records: list[Record]) -> None:
        for record in records:
            self.apply(record)

    def _apply_state(self, record: Record) -> None:
        entity_type = record["entity_type"]
        entity = record["entity"]
        fields = {k: v for k, v in record.items() if k not in ("seq", "t", "kind", "entity_type", "entity")}
        if entity_type == "instance":
            self._put(self.instances, entity, fields, GONE_STATES["instance"])
        elif entity_type == "task":
            self._put(self.tasks, entity, fields, GONE_STATES["task"])
        elif entity_type == "app":
            self.apps.setdefault(entity, {}).update(fields)
            self.seen.add(("app", entity, fields["state"]))
            self._measure(record["t"])
        elif entity_type == "route":
            self.routes[entity] = {"app": fields.get("app"), "endpoints": fields.get("endpoints", [])}
            self._measure(record["t"])
        elif entity_type == "cell":
            self.cells.setdefault(entity, {"name": entity}).update(fields)
            self.seen.add(("cell", entity, fields["state"]))
            self._measure(record["t"])
        elif entity_type == "component":
            self.components[entity] = fields["state"]
        elif entity_type == "action":
            # ``action`` (from the record's fields) is the kind; ``words`` says it in full.
            self.actions.append({"t": record["t"], "words": entity, **fields})
        elif entity_type == "convergence":
            self.metrics["convergence"].append(
                {
                    "action": entity,
                    "at": fields["at"],
                    "converged_at": record["t"],
                    "converge_s": fields["converge_s"],
                }
            )

    def serving_endpoints(self) -> dict[str, int]:
        """Per app, gorouter's endpoints whose cell is not failed (those really answer)."""
        failed = {name for name, cell in self.cells.items() if cell.get("state") == "failed"}
        counts: dict[str, int] = {}
        for route in self.routes.values():
            app = route.get("app") or ""
            counts[app] = counts.get(app, 0) + sum(1 for e in route["endpoints"] if e["cell"] not in failed)
        return counts

    def _measure(self, t: float) -> None:
        """Extend the series, the headline figures and the availability measures."""
        serving = self.serving_endpoints()
        desired = sum(a.get("desired", 0) for a in self.apps.values() if a.get("state") in STARTED_STATES)
        running = sum(a.get("running", 0) for a in self.apps.values())
        routable = sum(serving.values())
        self._measure_availability(t, serving)
        if self.series[-1][1:] != [desired, running, routable]:
            self.series.append([t, desired, running, routable])
        if routable > 0 and self.headline["first_routable_at"] is None:
            self.headline["first_routable_at"] = t
        states = [a.get("state") for a in self.apps.values()]
        if (
            self.headline["all_running_at"] is None
            and "RUNNING" in states
            and not BUSY_STATES.intersection(states)
            and running >= desired > 0
        ):
            self.headline["all_running_at"] = t

    def _measure_availability(self, t: float, serving: dict[str, int]) -> None:
        metrics = self.metrics
        metrics["below_desired_s"] += metrics["below_desired_now"] * (t - metrics["below_desired_since"])
        below = 0
        for name, app in self.apps.items():
            wanted = app.get("desired", 0) if app.get("state") in STARTED_STATES else 0
            answering = serving.get(name, 0)
            if wanted > 0 and answering >= wanted:
                self._available_once.add(name)
            if name not in self._available_once:
                continue
            below += max(0, wanted - answering)
            open_outage = next((o for o in self.outages if o[0] == name and o[2] is None), None)
            down = wanted > 0 and answering == 0
            if down and open_outage is None:
                self.outages.append([name, t, None])
            elif not down and open_outage is not None:
                open_outage[2] = t
                length = t - open_outage[1]
                metrics["unavailable_s"] += length
                metrics["longest_outage_s"] = max(metrics["longest_outage_s"], length)
        metrics["below_desired_now"] = below
        metrics["below_desired_since"] = t

    @staticmethod
    def _put(table: dict[str, dict[str, Any]], key: str, fields: dict[str, Any], gone: str) -> None:
        if fields["state"] == gone:
            table.pop(key, None)
        else:
            table[key] = fields

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "t": self.t,
                "seq": self.seq,
                "platform": self.platform,
                "notes": self.notes,
                "series": self.series,
                "headline": self.headline,
                "outages": self.outages,
                "metrics": self.metrics,
                "actions": self.actions,
                "available_once": sorted(self._available_once),
                "zones": self.zones,
                "cells": list(self.cells.values()),
                "apps": self.apps,
                "instances": self.instances,
                "tasks": self.tasks,
                "routes": self.routes,
                "components": self.components,
                "decisions": self.decisions,
                "logs": list(self.logs),
            }
        )
