"""Time travel over a run: keyframes of its plain-data state, seeking, and stepping both ways.

A :class:`Timeline` wraps a :class:`~simulator.comparison.Comparison` (one or more platforms in
lockstep). As the run advances it keeps a keyframe every ``keyframe_interval_s`` of simulated
time: a deep copy of every simulation's state without its event log (the log is append-only, so
a keyframe only remembers how long each log was). Seeking restores the nearest keyframe at or
before the target and re-simulates from there; the simulator is deterministic, so the state
reached equals the state reached by running straight to that time.

Positions are ``(t, {platform: log length})``: the time on the shared clock and how many records
each platform had produced. An *event* is one engine step that produced records; stepping back
returns to the position just before the latest event.
"""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulator.comparison import Comparison
from simulator.records import Record

DEFAULT_KEYFRAME_INTERVAL_S = 30.0


@dataclass(frozen=True, slots=True)
class Position:
    t: float
    lengths: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"t": self.t, "lengths": dict(self.lengths)}


@dataclass(slots=True)
class Keyframe:
    t: float
    lengths: dict[str, int]
    state: Comparison  # without its records: see _snapshot_state
    extra: Any = None  # what the host keeps beside it (e.g. the viewers' folds)


def _snapshot_state(comparison: Comparison) -> Comparison:
    """A deep copy of the comparison whose logs are empty (the records are kept once, outside)."""
    memo: dict[int, Any] = {id(sim.log.records): [] for sim in comparison.runs.values()}
    return copy.deepcopy(comparison, memo)


def _restore(keyframe: Keyframe, records: dict[str, list[Record]]) -> Comparison:
    state = copy.deepcopy(keyframe.state)
    for name, sim in state.runs.items():
        sim.log.records = list(records[name][: keyframe.lengths[name]])
    return state


class Timeline:
    def __init__(
        self,
        make: Callable[[], Comparison],
        keyframe_interval_s: float = DEFAULT_KEYFRAME_INTERVAL_S,
        capture: Callable[[Comparison], Any] | None = None,
    ) -> None:
        self._make = make
        self.interval = keyframe_interval_s
        # What the host keeps beside each keyframe (e.g. its viewers' folds), taken from the run.
        self._capture = capture or (lambda _comparison: None)
        self.current = make()
        self.keyframes: list[Keyframe] = []
        self._keyframe()

    # -- where we are ---------------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.current.now

    @property
    def platforms(self) -> list[str]:
        return self.current.platforms

    def position(self) -> Position:
        return Position(self.now, {n: len(s.records) for n, s in self.current.runs.items()})

    def records(self) -> dict[str, list[Record]]:
        return {name: sim.records for name, sim in self.current.runs.items()}

    # -- forward ----------------------------------------------------------------------------------

    def advance(self, until: float | None = None) -> dict[str, list[Record]]:
        """Run on to ``until`` (or the end), keeping keyframes on the way; the new records."""
        target = self.current.end_time if until is None else until
        out: dict[str, list[Record]] = {name: [] for name in self.platforms}
        while True:
            next_frame_at = (math.floor(self.now / self.interval) + 1) * self.interval
            stop = min(target, next_frame_at)
            for name, records in self.current.run(until=stop).items():
                out[name].extend(records)
            if stop >= next_frame_at and self.now >= next_frame_at - 1e-9:
                self._keyframe()
            if self.now >= target - 1e-9 or self.current.done:
                break
        return out

    def step(self, kind: str = "event") -> dict[str, list[Record]]:
        """Advance by one event (engine step that records something) or up to the next message."""
        out: dict[str, list[Record]] = {name: [] for name in self.platforms}
        while not self.current.done:
            name, sim = min(
                self.current.runs.items(),
                key=lambda item: (item[1].engine.peek(), self.platforms.index(item[0])),
            )
            if sim.peek() == math.inf:
                break
            records = sim.step()
            self.current.clock = max(self.current.clock, sim.now)
            out[name].extend(records)
            if records and (kind == "event" or any(r["kind"] == "message" for r in records)):
                break
        for other, sim in self.current.runs.items():
            # Every platform's clock stands at the shared time (the lockstep invariant).
            if sim.now < self.current.clock:
                out[other].extend(sim.run(until=self.current.clock))
        return out

    # -- anywhere ---------------------------------------------------------------------------------

    def seek(self, t: float) -> None:
        """Go to simulated time ``t`` (before or after the playhead)."""
        t = max(0.0, t)
        if t < self.now:
            self._restore_before(t, None)
        self.advance(until=t)

    def seek_position(self, position: Position) -> None:
        """Go to exactly ``position``: the shared time and each platform's log length."""
        if position.t < self.now or any(
            len(self.current.runs[n].records) > k for n, k in position.lengths.items()
        ):
            self._restore_before(position.t, position.lengths)
        for name, sim in self.current.runs.items():
            limit = position.lengths.get(name)
            while limit is not None and len(sim.records) < limit and sim.peek() <= position.t:
                sim.step()
        # The clocks stay where the last kept event left them: running them on to the position's
        # time would carry out the very event we stepped back over.
        self.current.clock = max(sim.now for sim in self.current.runs.values())

    def step_back(self, kind: str = "event") -> None:
        """Back to just before the latest event (or the latest message)."""
        target = self._previous_position(kind)
        if target is not None:
            self.seek_position(target)

    def _previous_position(self, kind: str) -> Position | None:
        latest: tuple[float, int, str] | None = None
        for order, (name, sim) in enumerate(self.current.runs.items()):
            starts = sim.event_starts if kind == "event" else sim.message_starts
            if not starts:
                continue
            t = sim.records[starts[-1]]["t"]
            if latest is None or (t, order) > (latest[0], latest[1]):
                latest = (t, order, name)
        if latest is None:
            return None
        t, _, name = latest
        lengths = {}
        for other, sim in self.current.runs.items():
            if other == name:
                starts = sim.event_starts if kind == "event" else sim.message_starts
                lengths[other] = starts[-1]
            else:
                # The other platforms keep what happened up to that time.
                lengths[other] = bisect.bisect_right([r["t"] for r in sim.records], t)
        return Position(t, lengths)

    def fork(self) -> Timeline:
        """A copy of the timeline whose future is its own (the keyframes are shared read-only)."""
        other = copy.copy(self)
        other.current = copy.deepcopy(self.current)
        other.keyframes = list(self.keyframes)
        return other

    def forget_after(self, t: float) -> None:
        """The future after ``t`` changes (an action on the past): its keyframes no longer hold."""
        self.keyframes = [k for k in self.keyframes if k.t <= t]

    # -- keyframes --------------------------------------------------------------------------------

    def _keyframe(self) -> None:
        lengths = {name: len(sim.records) for name, sim in self.current.runs.items()}
        if self.keyframes and self.keyframes[-1].t >= self.now:
            return
        self.keyframes.append(
            Keyframe(self.now, lengths, _snapshot_state(self.current), self._capture(self.current))
        )

    def keyframe_before(self, t: float, lengths: dict[str, int] | None = None) -> Keyframe:
        candidates = [
            k
            for k in self.keyframes
            if k.t <= t
            and (lengths is None or all(k.lengths[n] <= lengths.get(n, math.inf) for n in k.lengths))
        ]
        return candidates[-1] if candidates else self.keyframes[0]

    def _restore_before(self, t: float, lengths: dict[str, int] | None) -> None:
        keyframe = self.keyframe_before(t, lengths)
        records = self.records()
        self.current = _restore(keyframe, records)
        # Keyframes past this point are still valid: the future is deterministic.
