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


class ViewState:
    def __init__(self, scenario: Scenario, platform: str = "diego") -> None:
        self.platform = platform
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
        elif entity_type == "route":
            self.routes[entity] = {"app": fields.get("app"), "endpoints": fields.get("endpoints", [])}
        elif entity_type == "cell":
            self.cells.setdefault(entity, {"name": entity}).update(fields)
        elif entity_type == "component":
            self.components[entity] = fields["state"]

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
