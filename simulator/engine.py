"""The discrete-event engine: a virtual clock, a heap of timers and one seeded random generator.

Timers are plain data, ``(time, seq, kind, args)``: ``kind`` names a handler that the platform
model registers, ``args`` is a tuple of plain values. Nothing callable lives in the heap, so the
whole engine (and with it a run) can be deep-copied, serialised, snapshotted and forked.
Ties in time are broken by the sequence number, i.e. in the order the timers were scheduled,
which keeps every run deterministic.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from typing import Any, NamedTuple

Handler = Callable[..., None]


class EngineError(RuntimeError):
    """Raised when the engine is driven in a way that cannot be right (e.g. scheduling in the past)."""


_new_tuple = tuple.__new__
_heappush = heapq.heappush
_heappop = heapq.heappop


class Timer(NamedTuple):
    """A scheduled handler call. A tuple, so the heap compares (time, seq) in C: fast."""

    time: float
    seq: int
    kind: str
    args: tuple[Any, ...] = ()


class Engine:
    """Owns simulated time. Platform models register handlers and schedule timers for them."""

    def __init__(self, seed: int) -> None:
        self.now: float = 0.0
        self.seed = seed
        self.rng = random.Random(seed)
        self._heap: list[Timer] = []
        self._next_seq = 0
        self._handlers: dict[str, Handler] = {}
        self.steps_taken = 0

    def register(self, kind: str, handler: Handler) -> None:
        if kind in self._handlers:
            raise EngineError(f"a handler for {kind!r} is already registered")
        self._handlers[kind] = handler

    def schedule(self, delay: float, kind: str, *args: Any) -> Timer:
        """Run handler ``kind`` with ``args`` after ``delay`` simulated seconds."""
        if not delay >= 0:  # also false for NaN
            raise EngineError(f"cannot schedule {kind!r} {delay} s in the past")
        if kind not in self._handlers:
            raise EngineError(f"no handler registered for {kind!r}")
        seq = self._next_seq
        self._next_seq = seq + 1
        # tuple.__new__ skips the named tuple's Python-level constructor: this is the hot path.
        timer: Timer = _new_tuple(Timer, (self.now + delay, seq, kind, args))
        _heappush(self._heap, timer)
        return timer

    def peek(self) -> float:
        """The time of the next timer, or infinity when nothing is scheduled."""
        return self._heap[0].time if self._heap else math.inf

    def step(self) -> Timer:
        """Advance the clock to the next timer and run its handler."""
        if not self._heap:
            raise EngineError("nothing is scheduled")
        timer = heapq.heappop(self._heap)
        self.now = timer.time
        self.steps_taken += 1
        self._handlers[timer.kind](*timer.args)
        return timer

    def run(self, until: float | None = None) -> None:
        """Run every timer due at or before ``until`` (all of them when ``until`` is None).

        The clock ends at ``until`` even when the last timer came earlier, so a paced
        caller sees time pass smoothly between events.
        """
        if until is not None and until < self.now:
            raise EngineError(f"cannot run until {until}: the clock is already at {self.now}")
        heap = self._heap
        handlers = self._handlers
        limit = math.inf if until is None else until
        steps = 0
        # The loop of step(), inlined: it is the hot path of every run.
        try:
            while heap and heap[0][0] <= limit:
                time, _, kind, args = _heappop(heap)
                self.now = time
                steps += 1
                handlers[kind](*args)
        finally:
            self.steps_taken += steps
        if until is not None:
            self.now = until

    def pending(self) -> int:
        return len(self._heap)

    def jitter(self, mean: float, fraction: float) -> float:
        """``mean`` spread uniformly by ±``fraction``, drawn from the run's generator."""
        if mean <= 0 or fraction <= 0:
            return max(mean, 0.0)
        return mean * (1.0 + self.rng.uniform(-fraction, fraction))
