"""Time travel: seeking equals running straight there; stepping back then forward returns; forks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.comparison import Comparison
from simulator.records import dumps
from simulator.scenario import parse_action, parse_scenario
from simulator.timeline import Timeline

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def spec(name: str = "cf-push") -> Any:
    return parse_scenario(json.loads((SCENARIOS / f"{name}.json").read_text()))


def timeline(name: str = "cf-push", platforms: tuple[str, ...] = ("diego", "eirini")) -> Timeline:
    scenario = spec(name)
    return Timeline(lambda: Comparison(scenario, None, platforms), keyframe_interval_s=10.0)


def state_of(line: Timeline) -> str:
    """Everything a run is at a moment: the records so far and the clocks, serialised."""
    parts = []
    for name, sim in line.current.runs.items():
        parts.append(name + "".join(dumps(r) for r in sim.records) + repr(sim.now) + repr(sim.engine.peek()))
    return "|".join(parts)


def straight_to(name: str, t: float) -> str:
    line = timeline(name)
    line.advance(until=t)
    return state_of(line)


@pytest.mark.parametrize("t", [0.5, 12.25, 31.0, 47.9, 66.0])
def test_seeking_back_gives_the_state_reached_by_running_straight_there(t: float) -> None:
    """From the end of the run, seek to t: same records, same clocks, same next timers."""
    line = timeline()
    line.advance()
    line.seek(t)
    assert state_of(line) == straight_to("cf-push", t)


def test_seeking_forward_past_the_playhead_runs_on() -> None:
    line = timeline()
    line.seek(40.0)
    assert state_of(line) == straight_to("cf-push", 40.0)


def test_seeking_back_and_running_on_reproduces_the_rest_of_the_run() -> None:
    """The future from a restored keyframe is the future the run had: the log ends the same."""
    line = timeline("evacuate-vs-drain")
    line.advance()
    end = state_of(line)
    line.seek(150.0)
    line.advance()
    assert state_of(line) == end


def test_stepping_back_then_forward_returns_to_the_same_state() -> None:
    line = timeline()
    line.advance(until=30.0)
    for _ in range(5):
        line.step()
    before = state_of(line)
    line.step_back()
    assert state_of(line) != before
    line.step()
    assert state_of(line) == before


def test_a_step_forward_is_one_event_of_one_platform() -> None:
    line = timeline()
    line.advance(until=30.0)
    records = line.step()
    stepped = [name for name, recs in records.items() if recs]
    assert len(stepped) >= 1
    assert len({r["t"] for name in stepped for r in records[name]}) == 1


def test_stepping_by_message_stops_at_the_next_message() -> None:
    line = timeline(platforms=("diego",))
    line.advance(until=5.0)
    records = line.step("message")["diego"]
    assert records[-1]["kind"] == "message" or any(r["kind"] == "message" for r in records)
    before = state_of(line)
    line.step_back("message")
    line.step("message")
    assert state_of(line) == before


def test_a_fork_leaves_its_parent_unchanged() -> None:
    """An intervention on a fork does not touch the timeline it was forked from."""
    line = timeline()
    line.advance(until=40.0)
    parent_before = state_of(line)
    fork = line.fork()
    fork.current.intervene(parse_action({"action": "fail", "cell": "cell-z1-0"}, spec(), fork.now))
    fork.advance()
    assert state_of(line) == parent_before
    line.advance()
    assert state_of(line) != state_of(fork)


def test_keyframes_hold_no_copy_of_the_event_log() -> None:
    line = timeline()
    line.advance()
    assert len(line.keyframes) > 3
    assert all(not sim.records for k in line.keyframes for sim in k.state.runs.values())
