"""The discrete-event engine: clock, timer heap, tie-breaking, seeded jitter and forking."""

from __future__ import annotations

import copy
import itertools
import math
import pickle
import random
from collections.abc import Callable

import pytest

from simulator.engine import LADDER_MIN, Engine, EngineError, Timer


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
    due, _, _, _ = engine.schedule(1.0, "mark", "after")
    assert due == 3.5


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


class Crowd:
    """A model with many timers at once, so the queue leaves its small-heap form; many tie in time."""

    def __init__(self, seed: int, sources: int) -> None:
        self.engine = Engine(seed)
        self.seen: list[tuple[float, int]] = []
        self.engine.register("wake", self.wake)
        for source in range(sources):
            self.engine.schedule(self.delay(), "wake", source)

    def delay(self) -> float:
        # Fixed delays tie often; zero delays land in the instant being run; long ones wait a while.
        rng = self.engine.rng
        return rng.choice((0.0, 1.0, 2.5, 30.0, rng.random(), rng.expovariate(1.0), rng.expovariate(0.01)))

    def wake(self, source: int) -> None:
        self.seen.append((self.engine.now, source))
        for _ in range(self.engine.rng.choice((0, 1, 1, 1, 2))):
            self.engine.schedule(self.delay(), "wake", source)


def run_order(timers: list[tuple[float, int]]) -> list[int]:
    """Reference order for timers given as (due time, label) in scheduling order."""
    return [label for _, _, label in sorted((due, seq, label) for seq, (due, label) in enumerate(timers))]


def test_many_timers_run_by_time_then_scheduling_order() -> None:
    """With far more timers than the small heap holds, they still run by time, ties first-scheduled first."""
    engine = Engine(seed=1)
    ran: list[int] = []
    engine.register("mark", ran.append)
    rng = random.Random(7)
    timers = [(rng.choice((1.0, 2.0, 3.0, rng.uniform(0, 5))), label) for label in range(20 * LADDER_MIN)]
    for due, label in timers:
        engine.schedule(due, "mark", label)

    engine.run()

    assert ran == run_order(timers)
    assert engine.steps_taken == len(timers)


def test_timers_scheduled_during_a_large_run_keep_exact_order() -> None:
    """Timers added while a large queue runs (zero delays, ties, far ones) run as a single heap would."""
    engine = Engine(seed=1)
    ran: list[tuple[float, int]] = []
    scheduled: list[tuple[float, int]] = []
    rng = random.Random(3)

    def mark(label: int) -> None:
        ran.append((engine.now, label))
        if label < 50_000:
            for _ in range(rng.choice((0, 1, 2))):
                delay = rng.choice((0.0, 0.5, 1.0, rng.random(), rng.expovariate(0.05)))
                due, _, _, (new_label,) = engine.schedule(delay, "mark", len(scheduled) + 1000)
                scheduled.append((due, new_label))

    engine.register("mark", mark)
    for label in range(1000):
        delay = rng.choice((0.0, 1.0, rng.random()))
        engine.schedule(delay, "mark", label)
        scheduled.append((delay, label))
    engine.run()

    # Every timer ran once, never before the clock, and in (time, scheduling order).
    assert sorted(label for _, label in ran) == sorted(label for _, label in scheduled)
    assert [t for t, _ in ran] == sorted(t for t, _ in ran)
    position = {label: seq for seq, (_, label) in enumerate(scheduled)}
    for (t1, a), (t2, b) in itertools.pairwise(ran):
        assert t1 < t2 or position[a] < position[b]


def test_stepping_peeking_and_running_until_agree_with_one_run() -> None:
    """step(), peek() and run(until=...) in any mix give the same events as one run() of the same model."""
    straight = Crowd(seed=11, sources=3 * LADDER_MIN)
    straight.engine.run(until=400.0)

    mixed = Crowd(seed=11, sources=3 * LADDER_MIN)
    rng = random.Random(5)
    t = 0.0
    while mixed.engine.peek() <= 400.0:
        if rng.random() < 0.5:
            next_time = mixed.engine.peek()
            timer = mixed.engine.step()
            assert isinstance(timer, Timer)
            assert timer.time == next_time == mixed.engine.now
        else:
            t = min(400.0, max(t, mixed.engine.now) + rng.choice((0.0, 0.3, 5.0)))
            mixed.engine.run(until=t)
            assert mixed.engine.now == t
    mixed.engine.run(until=400.0)

    assert mixed.seen == straight.seen
    assert mixed.engine.steps_taken == straight.engine.steps_taken == len(straight.seen)
    assert mixed.engine.pending() == straight.engine.pending()


@pytest.mark.parametrize("fork", [copy.deepcopy, lambda crowd: pickle.loads(pickle.dumps(crowd))])
def test_a_forked_large_run_continues_identically(fork: Callable[[Crowd], Crowd]) -> None:
    """A deep copy or pickle of a run with a large queue, taken mid-run, has the original's future."""
    original = Crowd(seed=2, sources=10 * LADDER_MIN)
    original.engine.run(until=50.0)
    copied = fork(original)

    original.engine.run(until=300.0)
    copied.engine.run(until=300.0)

    assert copied.seen == original.seen
    assert len(original.seen) > 10_000
    assert copied.engine.pending() == original.engine.pending()


def test_a_handler_that_raises_still_counts_as_a_step_and_leaves_the_rest_queued() -> None:
    """An exception from a handler ends run() after that timer; the others stay queued, in order."""
    engine = Engine(seed=1)
    ran: list[int] = []

    def mark(label: int) -> None:
        ran.append(label)
        if label == 10:
            raise ValueError("boom")

    engine.register("mark", mark)
    for label in range(2 * LADDER_MIN):
        engine.schedule(float(label), "mark", label)

    with pytest.raises(ValueError):
        engine.run()
    assert engine.steps_taken == 11
    assert engine.pending() == 2 * LADDER_MIN - 11

    engine.run()
    assert ran == list(range(2 * LADDER_MIN))
