"""Which narration steps a run has reached: in order, at their time or when their event holds."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.narration import reached
from simulator.scenario import parse_scenario
from simulator.simulation import Simulation
from simulator.view import ViewState

PUSH = json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json").read_text())


def view_at(narration: list[dict], t: float) -> tuple[ViewState, object]:
    spec = parse_scenario({**PUSH, "platforms": ["diego"], "narration": narration})
    sim = Simulation(spec)
    view = ViewState(spec, "diego")
    view.apply_all(sim.run(until=t))
    view.t = sim.now
    return view, spec


STORY = [
    {"chapter": "Push", "text": "The developer pushes.", "at": 2},
    {"chapter": "Push", "text": "Staging runs.", "event": "app-staging", "app": "web"},
    {"chapter": "Start", "text": "Every instance runs.", "event": "all-running"},
]


def test_steps_are_reached_in_order_by_time_and_by_event() -> None:
    """At 1 s nothing shows; at 10 s the timed step and the staging event; at the end all three."""
    for t, expected in ((1.0, 0), (10.0, 2), (34.0, 3)):
        view, spec = view_at(STORY, t)
        assert reached(spec.narration, [view]) == expected  # type: ignore[attr-defined]


def test_a_later_step_waits_for_an_earlier_one() -> None:
    """Order matters: a step whose moment came shows only after the one before it."""
    story = [STORY[2], STORY[0]]
    view, spec = view_at(story, 10.0)
    assert reached(spec.narration, [view]) == 0  # type: ignore[attr-defined]
