"""Lockstep comparison: both platforms from one scenario and seed, deterministic together."""

from __future__ import annotations

from pathlib import Path

from simulator.comparison import Comparison
from simulator.scenario import load_scenario_json
from simulator.simulation import Simulation

PUSH = Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json"


def test_both_models_together_give_the_same_logs_byte_for_byte() -> None:
    """Two comparisons with one seed serialise identically, whatever slices they ran in."""
    spec = load_scenario_json(PUSH.read_text())
    straight = Comparison(spec, seed=11)
    straight.run()
    sliced = Comparison(spec, seed=11)
    t = 0.0
    while not sliced.done:
        t += 0.7
        sliced.run(until=t)
    assert straight.dumps_log().encode() == sliced.dumps_log().encode()


def test_each_platform_in_a_comparison_runs_exactly_as_it_would_alone() -> None:
    """Running in lockstep does not change either platform's simulation."""
    spec = load_scenario_json(PUSH.read_text())
    together = Comparison(spec)
    together.run()
    for platform in ("diego", "eirini"):
        alone = Simulation(spec, platform=platform)
        alone.run()
        assert together.runs[platform].records == alone.records


def test_the_shared_clock_never_runs_ahead_of_the_time_asked_for() -> None:
    spec = load_scenario_json(PUSH.read_text())
    comparison = Comparison(spec)
    comparison.run(until=12.5)
    assert comparison.now == 12.5
    assert all(sim.now == 12.5 for sim in comparison.runs.values())
