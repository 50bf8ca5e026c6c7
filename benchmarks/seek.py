"""How quickly can a viewer seek anywhere in a one-hour run? Prints figures; asserts nothing.

For each built-in scenario, run for one simulated hour (an app with a crash pattern keeps the
run busy; a scenario that settles earlier stops there) on both platforms in lockstep, keeping
keyframes, then seek to random times. The baseline is running straight from the start to the
same times, so the ratio says what keyframes buy.

    .venv/bin/python benchmarks/seek.py [--seeks N] [--interval SECONDS]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.comparison import Comparison  # noqa: E402
from simulator.scenario import parse_scenario  # noqa: E402
from simulator.timeline import Timeline  # noqa: E402

HOUR_S = 3600.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeks", type=int, default=40, help="random seeks per scenario (default 40)")
    parser.add_argument("--interval", type=float, default=30.0, help="keyframe interval, simulated seconds")
    args = parser.parse_args()
    if args.seeks < 1 or args.interval <= 0:
        parser.error("--seeks must be at least 1 and --interval positive")
    rng = random.Random(1)
    print(
        f"{'scenario':<22}{'sim s':>8}{'records':>9}{'build s':>9}{'keyframes':>10}"
        f"{'seek mean ms':>14}{'seek max ms':>13}{'straight ms':>13}{'speed-up':>10}"
    )
    for path in sorted((ROOT / "scenarios").glob("*.json")):
        data = json.loads(path.read_text())
        data["duration_s"] = HOUR_S
        spec = parse_scenario(data)
        started = time.perf_counter()
        line = Timeline(lambda spec=spec: Comparison(spec), keyframe_interval_s=args.interval)
        line.advance()
        build = time.perf_counter() - started
        end = line.now
        records = sum(len(r) for r in line.records().values())
        targets = [rng.uniform(0, end) for _ in range(args.seeks)]
        seek_times = []
        for t in targets:
            started = time.perf_counter()
            line.seek(t)
            seek_times.append(time.perf_counter() - started)
        straight_times = []
        for t in targets[: max(1, args.seeks // 4)]:
            started = time.perf_counter()
            Comparison(spec).run(until=t)
            straight_times.append(time.perf_counter() - started)
        mean_seek = statistics.mean(seek_times) * 1000
        mean_straight = statistics.mean(straight_times) * 1000
        print(
            f"{path.stem:<22}{end:>8.0f}{records:>9}{build:>9.2f}{len(line.keyframes):>10}"
            f"{mean_seek:>14.1f}{max(seek_times) * 1000:>13.1f}{mean_straight:>13.1f}"
            f"{mean_straight / mean_seek:>9.1f}×"
        )


if __name__ == "__main__":
    main()
