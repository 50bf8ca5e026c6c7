"""Scenario files: JSON and YAML, in and out, round-trip identical.

A scenario is written in its canonical form: the top-level fields always, and for each cell, app
and action only what differs from the defaults, so a file stays as short as a hand-written one.
Reading a file checks its size and syntax first and then the scenario itself; every problem is a
:class:`~simulator.scenario.ScenarioError` line naming its place.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import yaml

from simulator.scenario import (
    ACTION_FIELDS,
    AppSpec,
    CellSpec,
    DiegoSettings,
    EiriniSettings,
    FleetSettings,
    NarrationStep,
    Scenario,
    ScenarioError,
    Timing,
    parse_scenario,
)

FORMATS = ("json", "yaml")
# Far beyond any real scenario (the 250k one is a few KB with cell groups): a bigger file is a
# mistake, and parsing it would only waste memory.
MAX_FILE_BYTES = 5 * 1024 * 1024


def _differences(value: Any, default: Any) -> dict[str, Any]:
    data = asdict(value)
    base = asdict(default)
    return {k: _plain(v) for k, v in data.items() if v != base[k]}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """The canonical plain data of a scenario: what ``parse_scenario`` reads back to the same."""
    data: dict[str, Any] = {
        "name": scenario.name,
        "description": scenario.description,
        "seed": scenario.seed,
        "duration_s": scenario.duration_s,
        "platforms": list(scenario.platforms),
        "zones": list(scenario.zones),
        "cells": [],
        "apps": [],
        "timeline": [],
    }
    for cell in scenario.cells:
        entry = {"name": cell.name, "zone": cell.zone}
        entry.update(_differences(cell, CellSpec(cell.name, cell.zone)))
        data["cells"].append(entry)
    for app in scenario.apps:
        entry = {"name": app.name}
        entry.update(_differences(app, AppSpec(app.name)))
        data["apps"].append(entry)
    for action in scenario.timeline:
        entry = {"at": action.at, "action": action.action}
        for key in ACTION_FIELDS[action.action]:
            value = getattr(action, key)
            if value is not None and not (key == "max_in_flight" and value == 1):
                entry[key] = value
        data["timeline"].append(entry)
    if scenario.mode != "auto":
        data["mode"] = scenario.mode
    for key, value, default in (
        ("timing", scenario.timing, Timing()),
        ("diego", scenario.diego, DiegoSettings()),
        ("eirini", scenario.eirini, EiriniSettings()),
        ("fleet", scenario.fleet, FleetSettings()),
    ):
        changed = _differences(value, default)
        if changed:
            data[key] = changed
    if scenario.narration:
        data["narration"] = [
            {
                "chapter": step.chapter,
                "text": step.text,
                **_differences(step, NarrationStep(step.chapter, step.text)),
            }
            for step in scenario.narration
        ]
    return data


def dump_scenario(scenario: Scenario, fmt: str = "json") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    data = scenario_to_data(scenario)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def guess_format(filename: str) -> str:
    lowered = filename.lower()
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    if lowered.endswith(".json"):
        return "json"
    raise ScenarioError([f"{filename}: a scenario file ends in .json, .yaml or .yml"])


def load_scenario_text(text: str | bytes, fmt: str) -> Scenario:
    """Read a scenario from JSON or YAML text: size, syntax, then every problem of the scenario."""
    if fmt not in FORMATS:
        raise ScenarioError([f"unknown format {fmt!r} (known: {', '.join(FORMATS)})"])
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            [f"the file is {size:,} bytes; a scenario file may be at most {MAX_FILE_BYTES:,}"]
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError([f"not UTF-8 text: {exc}"]) from None
    if fmt == "json":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            raise ScenarioError([f"not valid JSON: {exc}"]) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError([f"not valid YAML: {exc}".replace("\n", " ")]) from None
        except RecursionError:
            raise ScenarioError(["not valid YAML: nested too deeply"]) from None
    return parse_scenario(data)
