"""Same scenario and seed, same event log, byte for byte; a fork continues like the original."""

from __future__ import annotations

from pathlib import Path

from simulator.records import dumps_log
from simulator.scenario import Scenario, load_scenario_json
from simulator.simulation import Simulation

PUSH = Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json"


def push_scenario() -> Scenario:
    return load_scenario_json(PUSH.read_text())


def test_the_same_scenario_and_seed_give_the_same_log_byte_for_byte() -> None:
    """Two runs of the push scenario with one seed serialise to identical JSON Lines."""
    first = Simulation(push_scenario(), seed=7)
    second = Simulation(push_scenario(), seed=7)
    first.run()
    second.run()
    assert dumps_log(first.records).encode() == dumps_log(second.records).encode()


def test_another_seed_gives_another_run() -> None:
    """The seed feeds every random draw (guids, jitter, tie-breaks), so logs differ."""
    a = Simulation(push_scenario(), seed=1)
    b = Simulation(push_scenario(), seed=2)
    a.run()
    b.run()
    assert dumps_log(a.records) != dumps_log(b.records)


def test_running_in_slices_gives_the_same_log_as_running_straight_through() -> None:
    """Pacing a run in small steps of simulated time does not change what happens."""
    straight = Simulation(push_scenario())
    straight.run()
    sliced = Simulation(push_scenario())
    t = 0.0
    while not sliced.done:
        t += 0.37
        sliced.run(until=t)
    assert dumps_log(sliced.records) == dumps_log(straight.records)


def test_a_fork_continues_exactly_like_the_run_it_was_forked_from() -> None:
    """Deep-copying a run mid-way (its state is plain data) and finishing both gives one log."""
    original = Simulation(push_scenario())
    original.run(until=20.0)
    fork = original.fork()
    original.run()
    fork.run()
    assert dumps_log(fork.records) == dumps_log(original.records)
    assert fork.summary() == original.summary()
