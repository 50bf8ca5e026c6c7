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
            self._measure(record["t"])
        elif entity_type == "route":
            self.routes[entity] = {"app": fields.get("app"), "endpoints": fields.get("endpoints", [])}
            self._measure(record["t"])
        elif entity_type == "cell":
            self.cells.setdefault(entity, {"name": entity}).update(fields)
        elif entity_type == "component":
            self.components[entity] = fields["state"]

    def _measure(self, t: float) -> None:
        """Extend the desired/running/routable series and the headline figures."""
        desired = sum(a.get("desired", 0) for a in self.apps.values() if a.get("state") in STARTED_STATES)
        running = sum(a.get("running", 0) for a in self.apps.values())
        routable = sum(len(r["endpoints"]) for r in self.routes.values())
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
