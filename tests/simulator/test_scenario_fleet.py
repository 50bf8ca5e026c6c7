"""Fleet-mode fields of a scenario: copies, mode and the push sessions (docs/fleet.md §1)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulator.scenario import FLEET_THRESHOLD, ScenarioError, parse_scenario
from simulator.simulation import Simulation

BASE: dict[str, Any] = {
    "name": "mix",
    "zones": ["z1"],
    "cells": [{"name": "cell-0", "zone": "z1"}],
    "apps": [{"name": "web", "instances": 2, "copies": 3}],
    "timeline": [{"at": 0, "action": "push", "app": "web"}],
}


def scenario(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data)
    return raised.value.problems


def test_copies_count_towards_the_instances_and_make_a_fleet_run() -> None:
    spec = parse_scenario(scenario())
    assert spec.apps[0].copies == 3
    assert spec.instance_count == 6
    assert spec.is_fleet


def test_auto_mode_is_detailed_up_to_the_threshold_and_fleet_above_it() -> None:
    small = parse_scenario(scenario(apps=[{"name": "web", "instances": FLEET_THRESHOLD}]))
    large = parse_scenario(scenario(apps=[{"name": "web", "instances": FLEET_THRESHOLD + 1}]))
    assert not small.is_fleet
    assert large.is_fleet


def test_an_explicit_mode_wins_over_the_threshold() -> None:
    assert parse_scenario(scenario(apps=[{"name": "web"}], mode="fleet")).is_fleet
    assert not parse_scenario(scenario(apps=[{"name": "web", "instances": 20_000}], mode="detailed")).is_fleet


def test_fleet_settings_are_read_and_checked() -> None:
    spec = parse_scenario(scenario(fleet={"push_concurrency": 25, "push_api_calls": 4}))
    assert (spec.fleet.push_concurrency, spec.fleet.push_api_calls) == (25, 4)
    assert problems(scenario(fleet={"push_concurrency": 0})) == ["fleet.push_concurrency: must be > 0"]
    assert problems(scenario(fleet={"sessions": 3})) == ["fleet.sessions: unknown field"]


def test_a_detailed_scenario_cannot_copy_apps() -> None:
    assert problems(scenario(mode="detailed")) == [
        "apps[0].copies: copies need fleet mode (mode: fleet or auto)"
    ]


def test_an_unknown_mode_is_named() -> None:
    assert problems(scenario(mode="turbo")) == ["mode: must be one of auto, detailed, fleet, not 'turbo'"]


def test_fleet_mode_refuses_operations_and_crashes_with_their_paths() -> None:
    data = scenario(
        apps=[{"name": "web", "copies": 2, "crash": {"min_s": 30, "max_s": 60}}],
        timeline=[{"at": 0, "action": "push", "app": "web"}, {"at": 5, "action": "stop", "app": "web"}],
    )
    assert problems(data) == [
        "apps[0].crash: fleet mode does not model crashes (use mode: detailed)",
        "timeline[1].action: fleet mode replays pushes only, not stop (use mode: detailed and fewer instances)",
    ]


def test_copies_must_be_a_positive_whole_number() -> None:
    assert problems(scenario(apps=[{"name": "web", "copies": 0}])) == ["apps[0].copies: must be > 0"]
    assert problems(scenario(apps=[{"name": "web", "copies": 1.5}])) == [
        "apps[0].copies: must be a whole number"
    ]


def test_the_detailed_simulator_refuses_a_fleet_scenario() -> None:
    with pytest.raises(ValueError, match="fleet mode"):
        Simulation(parse_scenario(scenario()))


def test_a_fleet_scenario_round_trips_through_plain_data() -> None:
    spec = parse_scenario(scenario(mode="fleet", fleet={"push_concurrency": 7}))
    assert parse_scenario(spec.to_dict()) == spec
