"""How long a big detailed run's tick holds its thread, played at the highest speed (1000×).

Run from the repository root: ``.venv/bin/python benchmarks/detailed_ticks.py [--copies N]``.
A detailed run advances on a worker thread within ``ADVANCE_BUDGET_S`` of wall time per tick
(cfviz/runtime.py), so the event loop (every socket of the process) is never held by it; before,
the whole tick ran on the loop. Both are measured on the same scenario: ``scale-eirini-2500``'s
apps as separate detailed apps (``--copies`` of each), pushed at once on Diego. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cfviz.pacing import ADVANCE_BUDGET_S, FIRST_SLICE_S, advance_within  # noqa: E402
from simulator.comparison import Comparison  # noqa: E402
from simulator.scenario import Scenario, parse_scenario  # noqa: E402
from simulator.timeline import Timeline  # noqa: E402

# As cfviz/runtime.py paces a detailed run (not imported: it needs Django's settings).
TICK_S = 1 / 30
MAX_SPEED = 1000.0


def scenario(copies: int) -> Scenario:
    data = json.loads((ROOT / "scenarios" / "scale-eirini-2500.json").read_text())
    apps = [
        {**{k: v for k, v in app.items() if k != "copies"}, "name": f"{app['name']}-{k}"}
        for app in data["apps"]
        for k in range(copies)
    ]
    data |= {"apps": apps, "mode": "detailed", "platforms": ["diego"]}
    data["timeline"] = [{"at": 0, "action": "push", "app": app["name"]} for app in apps]
    data.pop("fleet", None)
    return parse_scenario(data)


def ticks(spec: Scenario, budgeted: bool, sim_s: float) -> tuple[list[float], float]:
    """Wall time of each tick until ``sim_s`` simulated seconds, and the simulated time reached."""
    timeline = Timeline(lambda: Comparison(spec, 1, ("diego",)))
    walls: list[float] = []
    step = MAX_SPEED * TICK_S
    slice_s = FIRST_SLICE_S
    while timeline.now < sim_s and not timeline.current.done:
        target = timeline.now + step
        started = time.perf_counter()
        if budgeted:
            _, slice_s = advance_within(timeline, target, ADVANCE_BUDGET_S, slice_s)
        else:
            timeline.advance(until=target)
        walls.append(time.perf_counter() - started)
    return walls, timeline.now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each of the 20 apps (default 40)")
    parser.add_argument("--sim", type=float, default=60.0, help="simulated seconds to play (default 60)")
    args = parser.parse_args()
    spec = scenario(args.copies)
    print(
        f"{spec.instance_count:,} instances of {len(spec.apps)} apps on {len(spec.cells)} cells, detailed, Diego"
    )
    print(f"ticks of {TICK_S * 1000:.0f} ms wall at {MAX_SPEED:g}x, until {args.sim:g} s simulated\n")
    for budgeted, label in (
        (False, "whole ticks, as before: each held the event loop"),
        (True, "budgeted ticks, now: each holds only the run's worker thread"),
    ):
        walls, reached = ticks(spec, budgeted, args.sim)
        ms = sorted(w * 1000 for w in walls)
        print(
            f"{label}: {len(ms)} ticks, median {statistics.median(ms):.1f} ms, "
            f"p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} ms, worst {ms[-1]:.0f} ms; "
            f"{sum(walls):.1f} s wall for {reached:.1f} s simulated"
        )


if __name__ == "__main__":
    main()
