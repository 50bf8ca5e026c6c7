"""The discrete-event engine: clock, timer heap, tie-breaking, seeded jitter and forking."""

from __future__ import annotations

import copy
import math

import pytest

from simulator.engine import Engine, EngineError


class Recorder:
    """A tiny model: one ``mark`` handler that writes down its label and the clock."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[tuple[str, float]] = []
        engine.register("mark", self.mark)

    def mark(self, label: str) -> None:
        self.seen.append((label, self.engine.now))


class Ticker:
    """A model that reschedules itself after a jittered delay, so its run depends on the RNG."""

    def __init__(self, seed: int) -> None:
        self.engine = Engine(seed)
        self.ticks: list[tuple[float, float]] = []
        self.engine.register("tick", self.tick)
        self.engine.schedule(0.0, "tick")

    def tick(self) -> None:
        delay = self.engine.jitter(1.0, 0.5)
        self.ticks.append((self.engine.now, delay))
        self.engine.schedule(delay, "tick")


def test_timers_run_in_time_order() -> None:
    """Timers run by due time, whatever order they were scheduled in."""
    engine = Engine(seed=1)
    recorder = Recorder(engine)
    engine.schedule(5.0, "mark", "five")
    engine.schedule(1.0, "mark", "one")
    engine.schedule(3.0, "mark", "three")

    engine.run()

    assert recorder.seen == [("one", 1.0), ("three", 3.0), ("five", 5.0)]


def test_timers_due_at_the_same_time_run_in_the_order_they_were_scheduled() -> None:
    """Equal due times are broken by the scheduling sequence, first scheduled first run."""
    engine = Engine(seed=1)
    recorder = Recorder(engine)
    for label in ("a", "b", "c", "d"):
        engine.schedule(2.0, "mark", label)
    engine.run()

    assert [label for label, _ in recorder.seen] == ["a", "b", "c", "d"]
    assert all(t == 2.0 for _, t in recorder.seen)


def test_a_timer_scheduled_later_for_the_same_time_runs_after_earlier_ones() -> None:
    """A timer scheduled from a handler for an already-occupied instant queues behind it."""
    engine = Engine(seed=1)
    recorder = Recorder(engine)
    engine.register("chain", lambda: engine.schedule(1.0, "mark", "late"))
    engine.schedule(1.0, "chain")
    engine.schedule(2.0, "mark", "early")

    engine.run()

    assert recorder.seen == [("early", 2.0), ("late", 2.0)]


def test_peek_gives_the_next_due_time_or_infinity() -> None:
    """peek() returns the time of the next timer, and infinity when nothing is scheduled."""
    engine = Engine(seed=1)
    Recorder(engine)
    assert engine.peek() == math.inf

    engine.schedule(4.0, "mark", "later")
    engine.schedule(2.0, "mark", "sooner")
    assert engine.peek() == 2.0

    engine.step()
    assert engine.peek() == 4.0
    engine.step()
    assert engine.peek() == math.inf


def test_run_until_runs_timers_due_at_exactly_that_time_and_leaves_later_ones() -> None:
    """run(until=t) runs timers due at or before t, keeps later ones and leaves the clock at t."""
    engine = Engine(seed=1)
    recorder = Recorder(engine)
    engine.schedule(1.0, "mark", "one")
    engine.schedule(2.0, "mark", "two")
    engine.schedule(3.0, "mark", "three")

    engine.run(until=2.0)

    assert recorder.seen == [("one", 1.0), ("two", 2.0)]
    assert engine.now == 2.0
    assert engine.pending() == 1
    assert engine.peek() == 3.0


def test_run_until_moves_the_clock_past_the_last_timer() -> None:
    """The clock ends at ``until`` even when the last timer due before it came earlier."""
    engine = Engine(seed=1)
    recorder = Recorder(engine)
    engine.schedule(1.0, "mark", "one")
    engine.schedule(9.0, "mark", "nine")

    engine.run(until=2.5)

    assert recorder.seen == [("one", 1.0)]
    assert engine.now == 2.5
    # A delay now counts from the new clock.
    timer = engine.schedule(1.0, "mark", "after")
    assert timer.time == 3.5


def test_run_until_on_an_empty_engine_just_advances_the_clock() -> None:
    """With nothing scheduled, run(until=t) only moves the clock to t."""
    engine = Engine(seed=1)
    engine.run(until=7.0)
    assert engine.now == 7.0


def test_run_until_a_time_already_past_raises() -> None:
    """The clock never goes backwards: running until an earlier time is an error."""
    engine = Engine(seed=1)
    engine.run(until=5.0)
    with pytest.raises(EngineError):
        engine.run(until=4.0)


@pytest.mark.parametrize("delay", [-0.001, -10.0, math.nan])
def test_scheduling_in_the_past_raises(delay: float) -> None:
    """A negative (or NaN) delay would put a timer in the past and is refused."""
    engine = Engine(seed=1)
    Recorder(engine)
    with pytest.raises(EngineError):
        engine.schedule(delay, "mark", "x")
    assert engine.pending() == 0


def test_scheduling_an_unknown_kind_raises() -> None:
    """A timer must name a registered handler; an unknown kind is refused at scheduling time."""
    engine = Engine(seed=1)
    with pytest.raises(EngineError):
        engine.schedule(1.0, "nobody-handles-this")
    assert engine.pending() == 0


def test_registering_a_kind_twice_raises() -> None:
    """Each timer kind has exactly one handler."""
    engine = Engine(seed=1)
    Recorder(engine)
    with pytest.raises(EngineError):
        engine.register("mark", lambda label: None)


def test_stepping_with_nothing_scheduled_raises() -> None:
    """step() on an empty heap is an error rather than a silent no-op."""
    with pytest.raises(EngineError):
        Engine(seed=1).step()


def test_engines_with_the_same_seed_draw_the_same_jitter() -> None:
    """Jitter comes from the run's own seeded generator, so a seed fixes every draw."""
    first = Engine(seed=42)
    second = Engine(seed=42)
    other = Engine(seed=43)

    draws = [first.jitter(10.0, 0.2) for _ in range(50)]

    assert draws == [second.jitter(10.0, 0.2) for _ in range(50)]
    assert draws != [other.jitter(10.0, 0.2) for _ in range(50)]
    # ±20 % around a mean of 10 s.
    assert all(8.0 <= d <= 12.0 for d in draws)


def test_jitter_with_a_zero_fraction_returns_the_mean_and_draws_nothing() -> None:
    """A zero jitter fraction gives the mean itself and leaves the generator untouched."""
    engine = Engine(seed=7)
    fresh = Engine(seed=7)
    assert engine.jitter(3.0, 0.0) == 3.0
    assert engine.rng.random() == fresh.rng.random()


def test_a_deep_copied_run_continues_identically_and_independently() -> None:
    """A deep copy of an engine (with its model) forks the run: same future, separate state."""
    original = Ticker(seed=5)
    original.engine.run(until=5.0)
    fork = copy.deepcopy(original)

    assert fork.engine is not original.engine
    assert fork.engine.now == original.engine.now == 5.0

    original.engine.run(until=20.0)
    fork.engine.run(until=20.0)

    # Identical futures: same clock, same jittered delays (the RNG state was copied too).
    assert fork.ticks == original.ticks
    assert len(original.ticks) > 10

    # Independent: advancing the fork touches neither the original's log nor its heap.
    ticks_before = list(original.ticks)
    pending_before = original.engine.pending()
    fork.engine.run(until=30.0)
    assert original.ticks == ticks_before
    assert original.engine.pending() == pending_before
    assert original.engine.now == 20.0
    assert len(fork.ticks) > len(original.ticks)
