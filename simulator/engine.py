"""The discrete-event engine: a virtual clock, a queue of timers and one seeded random generator.

Timers are plain data, ``(time, seq, kind, args)``: ``kind`` names a handler that the platform
model registers, ``args`` is a tuple of plain values. Nothing callable lives in the queue, so the
whole engine (and with it a run) can be deep-copied, serialised, snapshotted and forked.
Ties in time are broken by the sequence number, i.e. in the order the timers were scheduled,
which keeps every run deterministic.

The queue is a heap while it is small. Once it holds ``LADDER_MIN`` timers it is split in the
manner of a ladder queue, because a heap of tuples pays ~log2(n) slow tuple comparisons a timer:

- ``near``: the next timers, sorted latest first, so the next one pops off the end for free;
- ``soon``: a heap of timers scheduled since then that are due before the latest ``near`` one
  (scheduled later than all of ``near``, so on a tie in time ``near`` runs first);
- ``fresh``: every other new timer, unsorted (an append), in scheduling order;
- ``later``: what is left of earlier sorts, earliest first; all of it is due after ``near``.

When ``near`` and ``soon`` run dry, ``later + fresh`` is sorted by time alone (floats compare in
C; the sort is stable and ties are already in scheduling order there) and its earliest quarter
becomes the new ``near``. Timers still run exactly by (time, seq), as from a single heap.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from operator import itemgetter
from typing import Any, NamedTuple

Handler = Callable[..., None]
# A timer as the queue stores it: the fields of ``Timer``, as a plain tuple (cheaper to build).
TimerTuple = tuple[float, int, str, tuple[Any, ...]]

# Below this many timers the queue is a plain heap: sorting and splitting would cost more than it saves.
LADDER_MIN = 64
# ``near`` takes 1/2**NEAR_SHIFT of a sort: fewer sorts against more timers landing in ``soon``.
NEAR_SHIFT = 2

_new_tuple = tuple.__new__
_heappush = heapq.heappush
_heappop = heapq.heappop
_heapify = heapq.heapify
_due_time = itemgetter(0)
_INF = math.inf


class EngineError(RuntimeError):
    """Raised when the engine is driven in a way that cannot be right (e.g. scheduling in the past)."""


class Timer(NamedTuple):
    """A scheduled handler call: the named view of a queued ``TimerTuple``, returned by ``step()``."""

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
        self._near: list[TimerTuple] = []
        self._soon: list[TimerTuple] = []
        self._fresh: list[TimerTuple] = []
        self._later: list[TimerTuple] = []
        # New timers due before this go to ``soon``. Infinite while the queue is a plain heap.
        self._horizon: float = _INF
        self._next_seq = 0
        self._handlers: dict[str, Handler] = {}
        self.steps_taken = 0

    def register(self, kind: str, handler: Handler) -> None:
        if kind in self._handlers:
            raise EngineError(f"a handler for {kind!r} is already registered")
        self._handlers[kind] = handler

    def schedule(self, delay: float, kind: str, *args: Any) -> TimerTuple:
        """Run handler ``kind`` with ``args`` after ``delay`` simulated seconds; returns the timer."""
        if not delay >= 0.0:  # also false for NaN
            raise EngineError(f"cannot schedule {kind!r} {delay} s in the past")
        if kind not in self._handlers:
            raise EngineError(f"no handler registered for {kind!r}")
        seq = self._next_seq
        self._next_seq = seq + 1
        time = self.now + delay
        timer = (time, seq, kind, args)
        if time < self._horizon:
            _heappush(self._soon, timer)
        else:
            self._fresh.append(timer)
        return timer

    def peek(self) -> float:
        """The time of the next timer, or infinity when nothing is scheduled."""
        near = self._near
        soon = self._soon
        if near:
            due = near[-1][0]
            return soon[0][0] if soon and soon[0][0] < due else due
        timer = self._head()
        return _INF if timer is None else timer[0]

    def step(self) -> Timer:
        """Advance the clock to the next timer and run its handler."""
        timer = self._pop()
        if timer is None:
            raise EngineError("nothing is scheduled")
        self.now = timer[0]
        self.steps_taken += 1
        self._handlers[timer[2]](*timer[3])
        return _new_tuple(Timer, timer)

    def run(self, until: float | None = None) -> None:
        """Run every timer due at or before ``until`` (all of them when ``until`` is None).

        The clock ends at ``until`` even when the last timer came earlier, so a paced
        caller sees time pass smoothly between events.
        """
        if until is not None and until < self.now:
            raise EngineError(f"cannot run until {until}: the clock is already at {self.now}")
        near = self._near
        soon = self._soon
        handlers = self._handlers
        limit = _INF if until is None else until
        # Every timer either ran or is still queued: counting them beats a counter in the loop.
        unrun_before = self.pending() - self._next_seq
        # The loop of step() and _pop(), inlined: it is the hot path of every run.
        try:
            while True:
                if near:
                    timer = near[-1]
                    # Times alone decide: on a tie ``near`` goes first, being the earlier scheduled.
                    if soon and soon[0][0] < timer[0]:
                        timer = soon[0]
                        if timer[0] > limit:
                            break
                        _heappop(soon)
                    else:
                        if timer[0] > limit:
                            break
                        near.pop()
                elif soon:
                    if len(soon) >= LADDER_MIN:
                        self._split_soon()
                        continue
                    timer = soon[0]
                    if timer[0] > limit:
                        break
                    _heappop(soon)
                elif self._fresh or self._later:
                    self._refill()
                    continue
                else:
                    break
                time, _, kind, args = timer
                self.now = time
                handlers[kind](*args)
        finally:
            self.steps_taken += unrun_before + self._next_seq - self.pending()
        if until is not None:
            self.now = until

    def pending(self) -> int:
        return len(self._near) + len(self._soon) + len(self._fresh) + len(self._later)

    def jitter(self, mean: float, fraction: float) -> float:
        """``mean`` spread uniformly by ±``fraction``, drawn from the run's generator."""
        if mean <= 0 or fraction <= 0:
            return max(mean, 0.0)
        return mean * (1.0 + self.rng.uniform(-fraction, fraction))

    # -- the queue -----------------------------------------------------------------------------

    def _head(self) -> TimerTuple | None:
        """The next timer, left queued (after any sorting needed to find it); None when idle."""
        near = self._near
        soon = self._soon
        while True:
            if near:
                return soon[0] if soon and soon[0][0] < near[-1][0] else near[-1]
            if soon:
                if len(soon) < LADDER_MIN:
                    return soon[0]
                self._split_soon()
            elif self._fresh or self._later:
                self._refill()
            else:
                return None

    def _pop(self) -> TimerTuple | None:
        """The next timer, taken off the queue; None when idle. ``_head()``, popping."""
        near = self._near
        soon = self._soon
        while True:
            if near:
                return _heappop(soon) if soon and soon[0][0] < near[-1][0] else near.pop()
            if soon:
                if len(soon) < LADDER_MIN:
                    return _heappop(soon)
                self._split_soon()
            elif self._fresh or self._later:
                self._refill()
            else:
                return None

    def _split_soon(self) -> None:
        """``near`` is empty and the heap ``soon`` has grown: sort it into ``near`` and ``later``.

        Every timer in ``soon`` is due before all of ``fresh`` and ``later`` (it came in under the
        horizon), so the rest of it goes on the early end of ``later``.
        """
        # The whole tuple is the key: heap order says nothing about ties, the sequence number does.
        timers = sorted(self._soon)
        self._soon.clear()
        self._take_near(timers)
        self._later[:0] = timers

    def _refill(self) -> None:
        """``near`` and ``soon`` are empty: sort ``later`` and ``fresh`` and take the earliest."""
        timers = self._later
        timers += self._fresh
        self._fresh = []
        if len(timers) < LADDER_MIN:
            # Back to a plain heap. In place: run() holds on to the list.
            soon = self._soon
            soon += timers
            timers.clear()
            _heapify(soon)
            self._horizon = _INF
            return
        # Stable, so equal times keep their order here, which is scheduling order: ``later`` is
        # sorted so, ``fresh`` is appended so, and a ``later`` timer tying a ``fresh`` one came first.
        timers.sort(key=_due_time)
        self._take_near(timers)

    def _take_near(self, timers: list[TimerTuple]) -> None:
        """Move the earliest quarter of ``timers`` (sorted earliest first) into the empty ``near``."""
        count = (len(timers) >> NEAR_SHIFT) + 1
        near = self._near
        near += timers[count - 1 :: -1]
        del timers[:count]
        self._horizon = near[0][0]
