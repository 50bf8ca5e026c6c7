"""Issue 7's headline figures: the whole 250k push simulated in fleet mode, on Diego and on
Kubernetes, until every instance runs: wall time and peak memory.

Run from the repository root: ``.venv/bin/python benchmarks/fleet_push.py [--scenario FILE]``.
Each platform runs in a fresh child process, so its peak RSS (ru_maxrss) is its own. Prints
figures and how they were measured; asserts nothing. Targets (issue 7): each push within 10 s
of wall time, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SCENARIO = ROOT / "scenarios" / "scale-250k.json"


def child(scenario_path: str, platform_name: str) -> None:
    """Run one platform to the end and print one JSON line of figures."""
    import numpy as np

    from simulator.fleet.run import FleetRun
    from simulator.scenario import load_scenario_json

    spec = load_scenario_json(Path(scenario_path).read_text())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    run = FleetRun(spec, (platform_name,))
    built = time.perf_counter() - started
    run.run_to_end(spec.duration_s, step=600.0)
    wall = time.perf_counter() - started
    sim = run.platforms[platform_name]
    frame = sim.frame(run.now)
    trace = sim.trace
    waited = trace.placed_at - trace.desired_at
    print(
        json.dumps(
            {
                "platform": platform_name,
                "instances": len(trace.node),
                "running": frame.totals["running"],
                "apps": frame.totals["apps"],
                "cells": len(sim.layout.names),
                "finished_at": sim.finished_at,
                "wall_s": wall,
                "setup_s": built,
                "rounds": len(trace.round_at),
                "placement_failures": trace.placement_failures,
                "place_p50_s": float(np.percentile(waited, 50)),
                "place_p95_s": float(np.percentile(waited, 95)),
                "balance": frame.balance,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_before_mb": rss_before,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="a fleet scenario file")
    parser.add_argument("--platforms", default="diego,eirini", help="comma-separated (default: both)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.scenario, args.child)
        return
    import numpy as np

    print(f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}; one run each")
    print(
        f"scenario {Path(args.scenario).name}: every platform in a fresh process, run until every instance runs"
    )
    for name in args.platforms.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--scenario", args.scenario, "--child", name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        label = "Diego (auction)" if name == "diego" else "Kubernetes (Eirini, kube-scheduler)"
        print(f"\n{label}: {r['instances']:,} instances of {r['apps']:,} apps on {r['cells']:,} cells")
        print(
            f"  wall time {r['wall_s']:6.2f} s (setup {r['setup_s']:.2f} s)  [target <= 10 s]"
            f"   peak RSS {r['rss_mb']:,.0f} MB (interpreter and imports {r['rss_before_mb']:,.0f} MB)"
            "  [target < 2,048 MB]"
        )
        finished = (
            "-"
            if r["finished_at"] is None
            else f"{r['finished_at']:,.1f} s ({r['finished_at'] / 3600:.2f} h)"
        )
        print(f"  every instance running at {finished} simulated; {r['running']:,} running")
        print(
            f"  {r['rounds']:,} {'auction rounds' if name == 'diego' else 'scheduling cycles'},"
            f" {r['placement_failures']:,} failed placements (retried),"
            f" desired->placed p50 {r['place_p50_s']:.3f} s, p95 {r['place_p95_s']:.3f} s"
        )
        b = r["balance"]
        print(f"  instances per cell {b['min']}-{b['max']} (mean {b['mean']:.1f}, stdev {b['stdev']:.2f})")
        rate = r["instances"] / r["wall_s"]
        print(f"  {rate:,.0f} instances simulated per wall second")


if __name__ == "__main__":
    main()
