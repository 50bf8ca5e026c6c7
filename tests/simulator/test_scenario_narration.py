"""Narration: captions at a time or on an event, checked like the rest of a scenario, ignored by runs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulator.scenario import NarrationStep, ScenarioError, parse_scenario
from simulator.scenario_files import dump_scenario, load_scenario_text
from simulator.simulation import Simulation

BASE: dict[str, Any] = {
    "name": "narrated",
    "duration_s": 300,
    "zones": ["z1"],
    "cells": [{"name": "cell-1", "zone": "z1"}],
    "apps": [{"name": "web"}],
    "timeline": [{"at": 1, "action": "push", "app": "web"}],
}


def with_narration(*steps: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["narration"] = list(steps)
    return data


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return caught.value.problems


def test_a_step_shows_at_a_time_or_on_an_event_and_may_pause_the_player() -> None:
    """Each step keeps its chapter, text, moment and pause, in the author's order."""
    scenario = parse_scenario(
        with_narration(
            {"chapter": "Push", "text": "The developer runs cf push.", "at": 0},
            {
                "chapter": "Running",
                "text": "Every instance is up.",
                "event": "app-running",
                "app": "web",
                "pause": True,
            },
            {"chapter": "Running", "text": "Done.", "event": "all-running"},
        )
    )
    assert scenario.narration == (
        NarrationStep("Push", "The developer runs cf push.", at=0.0),
        NarrationStep("Running", "Every instance is up.", event="app-running", app="web", pause=True),
        NarrationStep("Running", "Done.", event="all-running"),
    )


def test_a_scenario_without_narration_has_none() -> None:
    assert parse_scenario(copy.deepcopy(BASE)).narration == ()


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_narration_round_trips_through_json_and_yaml(fmt: str) -> None:
    """YAML reads ``event`` safely (an unquoted ``on`` key would be read as true)."""
    scenario = parse_scenario(
        with_narration(
            {"chapter": "Cell", "text": "A cell fails.", "event": "cell-failed", "cell": "cell-1"},
            {"chapter": "End", "text": "Settled.", "at": 120.5, "pause": True},
        )
    )
    text = dump_scenario(scenario, fmt)
    assert load_scenario_text(text, fmt) == scenario
    assert dump_scenario(load_scenario_text(text, fmt), fmt) == text


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ({"chapter": "", "text": "x", "at": 0}, "narration[0].chapter: must not be empty"),
        ({"chapter": "c", "at": 0}, "narration[0].text: is required"),
        (
            {"chapter": "c", "text": "x" * 2001, "at": 0},
            "narration[0].text: at most 2000 characters, not 2001",
        ),
        (
            {"chapter": "c", "text": "t"},
            "narration[0]: say when it shows: at (seconds) or event (what happens)",
        ),
        (
            {"chapter": "c", "text": "t", "at": 1, "event": "converged"},
            "narration[0].event: a step shows at a time or on an event, not both",
        ),
        ({"chapter": "c", "text": "t", "at": -1}, "narration[0].at: must be >= 0"),
        (
            {"chapter": "c", "text": "t", "at": 301},
            "narration[0].at: 301 s is after the scenario ends (300 s)",
        ),
        ({"chapter": "c", "text": "t", "event": "boom"}, "narration[0].event: must be one of app-pushing"),
        ({"chapter": "c", "text": "t", "event": "app-running"}, "narration[0].app: is required"),
        (
            {"chapter": "c", "text": "t", "event": "app-running", "app": "api"},
            "narration[0].app: unknown app 'api'",
        ),
        (
            {"chapter": "c", "text": "t", "event": "cell-failed", "cell": "cell-9"},
            "narration[0].cell: unknown cell 'cell-9'",
        ),
        (
            {"chapter": "c", "text": "t", "at": 3, "app": "web"},
            "narration[0].app: only a step on one of the app events names app",
        ),
        (
            {"chapter": "c", "text": "t", "at": 3, "pause": "yes"},
            "narration[0].pause: must be true or false, not a string",
        ),
        ({"chapter": "c", "text": "t", "at": 3, "when": 4}, "narration[0].when: unknown field"),
    ],
)
def test_a_bad_step_is_reported_with_its_place(step: dict[str, Any], expected: str) -> None:
    problems = problems_of(with_narration(step))
    assert any(p.startswith(expected) for p in problems), problems


def test_narration_must_be_a_list() -> None:
    assert problems_of({**BASE, "narration": "text"}) == ["narration: must be a list, not a string"]


def test_runs_ignore_narration() -> None:
    """The same scenario with and without captions gives the same records."""
    plain = Simulation(parse_scenario(copy.deepcopy(BASE)))
    narrated = Simulation(
        parse_scenario(with_narration({"chapter": "c", "text": "t", "at": 0, "pause": True}))
    )
    assert plain.run() == narrated.run()
