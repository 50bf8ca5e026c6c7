"""A scenario's parts as plain data, to and from the canonical spec, without the ORM.

The admin edits a scenario as parts (zones, cell groups, apps, timeline actions, narration
steps) whose keys are the models' field names; runs and files use the spec. The editor (from
form data), the services (from rows) and the data migration share these mappings:

- :func:`parts_from_spec`: the parts of a parsed scenario. Consecutive identical cells named
  ``<name>-0`` … ``<name>-<n-1>`` become one group of ``n``, so the parts give the same spec back.
- :func:`draft_from_parts`: the plain data ``parse_scenario`` checks, cell groups expanded.
  Parts may lack fields (a form field that did not clean); parsing then uses the default or says
  the field is required.
- :func:`problem_place`: where among the parts a ``path: problem`` line belongs.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from simulator.scenario import (
    MAX_CELLS,
    NAME_PATTERN,
    CellSpec,
    DiegoSettings,
    EiriniSettings,
    FleetSettings,
    Scenario,
    ScenarioError,
    Timing,
)

PARTS = ("zones", "cell_groups", "apps", "timeline", "narration")
SCENARIO_FIELDS = ("name", "description", "seed", "duration_s", "platforms", "mode")
SETTINGS: dict[str, tuple[str, ...]] = {
    "timing": tuple(f.name for f in dataclasses.fields(Timing)),
    "diego": tuple(f.name for f in dataclasses.fields(DiegoSettings)),
    "eirini": tuple(f.name for f in dataclasses.fields(EiriniSettings)),
    "fleet": tuple(f.name for f in dataclasses.fields(FleetSettings)),
}
PLATFORM_LISTS = {"diego": ["diego"], "eirini": ["eirini"], "both": ["diego", "eirini"]}

CELL_FIELDS = (
    "name",
    "zone",
    "memory_mb",
    "disk_mb",
    "max_containers",
    "stacks",
    "placement_tags",
    "optional_placement_tags",
)
APP_FIELDS = (
    "name",
    "instances",
    "copies",
    "memory_mb",
    "disk_mb",
    "stack",
    "buildpack",
    "package_mb",
    "droplet_mb",
    "staging_s",
    "boot_s",
    "health_check_type",
    "health_check_timeout_s",
    "placement_tags",
    "route",
    "crash_min_s",
    "crash_max_s",
)
# Where a nested path of an app's file form lives among the app's fields.
APP_PATHS = {
    "health_check": "health_check_type",
    "health_check.type": "health_check_type",
    "health_check.timeout_s": "health_check_timeout_s",
    "crash": "crash_min_s",
    "crash.min_s": "crash_min_s",
    "crash.max_s": "crash_max_s",
}
ACTION_FIELDS = (
    "at",
    "action",
    "app",
    "instances",
    "index",
    "cell",
    "recover_after_s",
    "version",
    "max_in_flight",
)
NARRATION_FIELDS = ("chapter", "text", "at", "event", "app", "cell", "pause")
PART_FIELDS = {
    "zones": ("name",),
    "cell_groups": ("name", "count", *CELL_FIELDS[1:]),
    "apps": APP_FIELDS,
    "timeline": ACTION_FIELDS,
    "narration": NARRATION_FIELDS,
}

PROBLEM = re.compile(r"^(?P<head>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<rest>[^:]+))?: (?P<text>.*)$", re.S)


@dataclass
class Parts:
    """The scenario's own fields and each part's items, as model field values."""

    scenario: dict[str, Any]
    zones: list[dict[str, Any]] = field(default_factory=list)
    cell_groups: list[dict[str, Any]] = field(default_factory=list)
    apps: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    narration: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    """What ``parse_scenario`` reads, and which cell group each expanded cell came from."""

    data: dict[str, Any]
    cell_owners: list[int]
    # Problems found before parsing (too many cells to expand).
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Place:
    """Where a problem belongs: the scenario's own fields or a part; an item of the part (by
    position); a field of it. No field: the item (or the part) as a whole."""

    part: str
    index: int | None
    field: str | None
    text: str


def platform_choice(platforms: tuple[str, ...]) -> str:
    if not platforms:
        raise ScenarioError(["platforms: must name at least one platform"])
    return "both" if len(platforms) > 1 else platforms[0]


def parts_from_spec(spec: Scenario) -> Parts:
    scenario: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "seed": spec.seed,
        "duration_s": spec.duration_s,
        # Both platforms in either order run the same: the editor keeps them as one choice.
        "platforms": platform_choice(spec.platforms),
        "mode": spec.mode,
    }
    for section, names in SETTINGS.items():
        settings = getattr(spec, section)
        scenario.update({name: getattr(settings, name) for name in names})
    return Parts(
        scenario=scenario,
        zones=[{"name": zone} for zone in spec.zones],
        cell_groups=_group_cells(spec.cells),
        apps=[
            {
                "name": app.name,
                "instances": app.instances,
                "copies": app.copies,
                "memory_mb": app.memory_mb,
                "disk_mb": app.disk_mb,
                "stack": app.stack,
                "buildpack": app.buildpack,
                "package_mb": app.package_mb,
                "droplet_mb": app.droplet_mb,
                "staging_s": app.staging_s,
                "boot_s": app.boot_s,
                "health_check_type": app.health_check.type,
                "health_check_timeout_s": app.health_check.timeout_s,
                "placement_tags": list(app.placement_tags),
                "route": app.route or "",
                "crash_min_s": app.crash.min_s if app.crash else None,
                "crash_max_s": app.crash.max_s if app.crash else None,
            }
            for app in spec.apps
        ],
        timeline=[
            {
                "at": action.at,
                "action": action.action,
                "app": action.app,
                "instances": action.instances,
                "index": action.index,
                "cell": action.cell,
                "recover_after_s": action.recover_after_s,
                "version": action.version,
                "max_in_flight": action.max_in_flight,
            }
            for action in spec.timeline
        ],
        narration=[
            {
                "chapter": step.chapter,
                "text": step.text,
                "at": step.at,
                "event": step.event or "",
                "app": step.app,
                "cell": step.cell,
                "pause": step.pause,
            }
            for step in spec.narration
        ],
    )


def _group_cells(cells: tuple[CellSpec, ...]) -> list[dict[str, Any]]:
    groups = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        base = cell.name[:-2] if cell.name.endswith("-0") else ""
        count = 1
        if NAME_PATTERN.match(base):
            while (
                i + count < len(cells)
                and cells[i + count].name == f"{base}-{count}"
                and dataclasses.replace(cells[i + count], name="") == dataclasses.replace(cell, name="")
            ):
                count += 1
        groups.append(
            {
                "name": base if count > 1 else cell.name,
                "count": count,
                "zone": cell.zone,
                "memory_mb": cell.memory_mb,
                "disk_mb": cell.disk_mb,
                "max_containers": cell.max_containers,
                "stacks": list(cell.stacks),
                "placement_tags": list(cell.placement_tags),
                "optional_placement_tags": list(cell.optional_placement_tags),
            }
        )
        i += count
    return groups


def cell_names(group: dict[str, Any]) -> list[str]:
    """The names of a group's cells: its own name alone, or ``<name>-0`` … ``<name>-<n-1>``."""
    count = group.get("count") or 1
    return [group["name"]] if count == 1 else [f"{group['name']}-{i}" for i in range(count)]


def _pick(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: values[key] for key in keys if key in values}


def draft_from_parts(parts: Parts) -> Draft:
    s = parts.scenario
    data: dict[str, Any] = _pick(s, ("name", "description", "seed", "duration_s", "mode"))
    if "platforms" in s:
        data["platforms"] = PLATFORM_LISTS.get(s["platforms"], [s["platforms"]])
    data["zones"] = [zone["name"] for zone in parts.zones if "name" in zone]
    cells, owners, problems = _expand_cells(parts.cell_groups)
    data["cells"] = cells
    data["apps"] = [_app_entry(app) for app in parts.apps]
    data["timeline"] = [_action_entry(action) for action in parts.timeline]
    for section, names in SETTINGS.items():
        data[section] = _pick(s, names)
    if parts.narration:
        data["narration"] = [_narration_entry(step) for step in parts.narration]
    return Draft(data, owners, problems)


def _expand_cells(groups: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    total = sum(group.get("count") or 1 for group in groups)
    problems = []
    if total > MAX_CELLS:
        # Say so, and check one cell of each group rather than build them all.
        problems.append(f"cells: at most {MAX_CELLS:,} cells, not {total:,}")
    cells, owners = [], []
    for g, group in enumerate(groups):
        values = _pick(group, CELL_FIELDS[1:])
        names = cell_names(group) if "name" in group else [None] * (group.get("count") or 1)
        for name in names[:1] if problems else names:
            cells.append({"name": name, **values} if name is not None else values)
            owners.append(g)
    return cells, owners, problems


def _app_entry(app: dict[str, Any]) -> dict[str, Any]:
    entry = _pick(app, ("name", "instances", "copies", "memory_mb", "disk_mb", "stack", "buildpack"))
    entry.update(_pick(app, ("package_mb", "droplet_mb", "boot_s", "placement_tags")))
    if app.get("staging_s") is not None:
        entry["staging_s"] = app["staging_s"]
    health_check = {}
    if "health_check_type" in app:
        health_check["type"] = app["health_check_type"]
    if "health_check_timeout_s" in app:
        health_check["timeout_s"] = app["health_check_timeout_s"]
    entry["health_check"] = health_check
    if app.get("route"):
        entry["route"] = app["route"]
    crash = {key: app[f"crash_{key}"] for key in ("min_s", "max_s") if app.get(f"crash_{key}") is not None}
    if crash:
        entry["crash"] = crash
    return entry


def _action_entry(action: dict[str, Any]) -> dict[str, Any]:
    # Only what was given: a value the action does not take is then reported, not dropped.
    entry = _pick(action, ("at", "action"))
    entry.update({key: action[key] for key in ("app", "cell", "version") if action.get(key)})
    entry.update(
        {key: action[key] for key in ("instances", "index", "recover_after_s") if action.get(key) is not None}
    )
    in_flight = action.get("max_in_flight")
    if in_flight is not None and (action.get("action") == "rootfs" or in_flight != 1):
        entry["max_in_flight"] = in_flight
    return entry


def _narration_entry(step: dict[str, Any]) -> dict[str, Any]:
    entry = _pick(step, ("chapter", "text", "pause"))
    if step.get("at") is not None:
        entry["at"] = step["at"]
    entry.update({key: step[key] for key in ("event", "app", "cell") if step.get(key)})
    return entry


def problem_place(problem: str, draft: Draft) -> Place:
    match = PROBLEM.match(problem)
    if match is None:
        return Place("scenario", None, None, problem)
    head, rest, text = match["head"], match["rest"], match["text"]
    index = None if match["index"] is None else int(match["index"])
    if head in SCENARIO_FIELDS and rest is None:
        return Place("scenario", None, head, text)
    if head in SETTINGS and rest in SETTINGS[head]:
        return Place("scenario", None, rest, text)
    if head == "cells":
        if index is None:
            return Place("cell_groups", None, None, text)
        owner = draft.cell_owners[index] if index < len(draft.cell_owners) else None
        return Place("cell_groups", owner, rest if rest in CELL_FIELDS else None, text)
    if head == "apps" and index is None:
        # The apps as a whole (too many instances in all for a fleet run).
        return Place("apps", None, None, text)
    if head == "apps":
        return Place("apps", index, APP_PATHS.get(rest or "", rest if rest in APP_FIELDS else None), text)
    if head in ("zones", "timeline", "narration"):
        if index is None:
            return Place(head, None, None, text)
        return Place(head, index, rest if rest in PART_FIELDS[head] else None, text)
    return Place("scenario", None, None, problem)
