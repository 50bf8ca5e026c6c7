"""How far a detailed run advances in one tick: toward the paced target, within a wall-time budget.

Kept apart from the registry (and from Django) so benchmarks can measure it on its own.
"""

from __future__ import annotations

import time

from simulator.records import Record
from simulator.timeline import Timeline

# Wall time a tick may spend simulating; a run needing more plays slower than asked.
ADVANCE_BUDGET_S = 0.05
# Slices of simulated time a tick advances by, between looks at the budget: the first, and
# the bounds of the ones adapted to how fast the run goes.
FIRST_SLICE_S = 0.5
MIN_SLICE_S = 1e-4
MAX_SLICE_S = 30.0


def advance_within(
    timeline: Timeline, target: float, budget_s: float, slice_s: float = FIRST_SLICE_S
) -> tuple[dict[str, list[Record]], float]:
    """(Worker thread.) Advance toward ``target`` in slices of simulated time until it is
    reached, the run is done, or ``budget_s`` of wall time is spent. Returns the new records
    and the slice to start the next tick with: each slice is aimed at a quarter of the budget,
    at the rate the last one went (a busy stretch of the run gets short slices)."""
    deadline = time.perf_counter() + budget_s
    out: dict[str, list[Record]] = {name: [] for name in timeline.platforms}
    while timeline.now < target - 1e-9 and not timeline.current.done:
        started = time.perf_counter()
        for name, records in timeline.advance(until=min(target, timeline.now + slice_s)).items():
            out[name].extend(records)
        now = time.perf_counter()
        # Damped: at most 4× longer or 10× shorter than the last, within fixed bounds.
        ratio = (budget_s / 4) / max(now - started, 1e-6)
        slice_s = min(MAX_SLICE_S, max(MIN_SLICE_S, slice_s * min(4.0, max(0.1, ratio))))
        if now >= deadline:
            break
    return out, slice_s
