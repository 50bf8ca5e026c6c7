"""``manage.py simulate SCENARIO``: run a scenario headless and print what happened."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from cfviz import selectors
from cfviz.services import MAX_SEED
from simulator.comparison import Comparison
from simulator.fleet.run import FleetRun
from simulator.records import dumps
from simulator.scenario import Scenario, ScenarioError
from simulator.scenario_files import guess_format, load_scenario_text
from simulator.simulation import PLATFORMS, Simulation


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CommandError(f"--seed must be a whole number, not {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise CommandError(f"--seed must be from 0 to {MAX_SEED}, not {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"--until must be a number of seconds, not {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise CommandError(f"--until must be a positive number of seconds, not {text}")
    return value


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


# A run ending sooner than this (in simulated seconds) is over before a bar would help.
PROGRESS_MIN_S = 300.0
# The run advances in this many chunks of simulated time, the bar redrawn after each.
PROGRESS_STEPS = 100
PROGRESS_WIDTH = 30


class ProgressBar:
    """``[#####-----]  50%  450 / 900 s simulated, 2.1 s`` on one line of standard error."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.started = time.perf_counter()

    def show(self, now: float, end: float) -> None:
        fraction = min(1.0, now / end) if end > 0 else 1.0
        filled = round(fraction * PROGRESS_WIDTH)
        self.out.write(
            f"\r[{'#' * filled}{'-' * (PROGRESS_WIDTH - filled)}] {fraction:4.0%}  "
            f"{now:.0f} / {end:.0f} s simulated, {time.perf_counter() - self.started:.1f} s",
            # Plain: a terminal would otherwise colour standard error as an error.
            style_func=str,
            ending="",
        )
        self.out.flush()

    def finish(self) -> None:
        self.out.write("", style_func=str)


def run_with_progress(run: Simulation | Comparison, until: float | None, bar: ProgressBar | None) -> None:
    """Run to ``until`` (or the end) in chunks of simulated time, redrawing ``bar`` after each;
    the records are the same as one uninterrupted run's."""
    if bar is None:
        run.run(until=until)
        return
    end = until if until is not None else run.end_time
    chunk = max(end / PROGRESS_STEPS, 1.0)
    while not run.done and (until is None or run.now < until):
        target = run.now + chunk
        run.run(until=target if until is None else min(target, until))
        bar.show(run.now, min(end, run.end_time))
    bar.finish()


class Command(BaseCommand):
    help = (
        "Run a scenario headless and print a summary: when every instance was running and "
        "which cell each instance landed on. SCENARIO is a scenario's slug or a .json/.yaml file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", help="a scenario slug (see the home page) or a path to a .json file")
        parser.add_argument("--seed", type=_non_negative_int, help="random seed (default: the scenario's)")
        parser.add_argument("--until", type=_positive_float, help="stop at this simulated time (seconds)")
        parser.add_argument("--out", type=Path, help="write every event record to this file as JSON Lines")
        parser.add_argument(
            "--platform",
            choices=PLATFORMS,
            default="diego",
            help="which scheduler to simulate (default: diego)",
        )
        parser.add_argument(
            "--compare",
            action="store_true",
            help="run Diego and Eirini in lockstep and print their summaries side by side",
        )
        parser.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "show a progress bar on standard error (default: when standard error is a terminal "
                f"and the run may last more than {PROGRESS_MIN_S:.0f} simulated seconds)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spec = self._load(options["scenario"])
        out: Path | None = options["out"]
        if out is not None and not out.parent.exists():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        until = options["until"]
        progress = options["progress"]
        if progress is None:
            progress = (
                self.stderr.isatty() and min(until or spec.duration_s, spec.duration_s) > PROGRESS_MIN_S
            )
        bar = ProgressBar(self.stderr) if progress else None
        if spec.is_fleet:
            platforms = ("diego", "eirini") if options["compare"] else (options["platform"],)
            self._fleet(spec, platforms, options["seed"], until, out, bar)
            return
        if options["compare"]:
            self._compare(spec, options["seed"], until, out, bar)
            return
        sim = Simulation(spec, options["seed"], options["platform"])
        started = time.perf_counter()
        run_with_progress(sim, until, bar)
        wall = time.perf_counter() - started
        if out is not None:
            with out.open("w", encoding="utf-8") as f:
                for record in sim.records:
                    f.write(dumps(record) + "\n")
        self._print_summary(sim, wall, out)

    def _compare(
        self, spec: Scenario, seed: int | None, until: float | None, out: Path | None, bar: ProgressBar | None
    ) -> None:
        comparison = Comparison(spec, seed)
        started = time.perf_counter()
        run_with_progress(comparison, until, bar)
        wall = time.perf_counter() - started
        if out is not None:
            out.write_text(comparison.dumps_log(), encoding="utf-8")
        summaries = comparison.summary()
        w = self.stdout.write
        w(f"{spec.name} (seed {comparison.seed}), Diego and Eirini in lockstep: {wall:.3f} s of wall time")
        rows = [
            ("events", lambda s: str(s["records"])),
            ("scheduling rounds", lambda s: str(s["scheduling_rounds"])),
            ("every instance running at", lambda s: _seconds(s["all_running_at"])),
        ]
        for name in spec.apps:
            rows.append(
                (
                    f"{name.name}: first instance running",
                    lambda s, n=name.name: _seconds(s["apps"][n]["first_running_at"]),
                )
            )
            rows.append(
                (
                    f"{name.name}: push to all running",
                    lambda s, n=name.name: _seconds(s["apps"][n]["time_to_all_running"]),
                )
            )
            rows.append(
                (f"{name.name}: routable instances", lambda s, n=name.name: str(s["apps"][n]["routable"]))
            )
        w(f"{'':<36}{'Diego':>16}{'Eirini':>16}")
        for label, value in rows:
            w(f"{label:<36}{value(summaries['diego']):>16}{value(summaries['eirini']):>16}")
        w(f"{'instance':<36}{'Diego cell':>16}{'Eirini node':>16}")
        instances = sorted(set(summaries["diego"]["placements"]) | set(summaries["eirini"]["placements"]))
        for instance in instances:
            diego = summaries["diego"]["placements"].get(instance) or "-"
            eirini = summaries["eirini"]["placements"].get(instance) or "-"
            w(f"{instance:<36}{diego:>16}{eirini:>16}")
        if out is not None:
            w(f"wrote both event logs to {out}")

    def _fleet(
        self,
        spec: Scenario,
        platforms: tuple[str, ...],
        seed: int | None,
        until: float | None,
        out: Path | None,
        bar: ProgressBar | None,
    ) -> None:
        """A fleet-mode scenario (docs/fleet.md): per-platform figures, no event log."""
        run = FleetRun(spec, platforms, seed)
        end = min(until or spec.duration_s, spec.duration_s)
        started = time.perf_counter()
        step = max(end / PROGRESS_STEPS, 1.0)
        while not run.finished and run.now < end:
            run.advance(min(end, run.now + step))
            if bar is not None:
                bar.show(run.now, end)
        if bar is not None:
            bar.finish()
        wall = time.perf_counter() - started
        w = self.stdout.write
        w(
            f"{spec.name} (seed {seed if seed is not None else spec.seed}), fleet mode: "
            f"{spec.instance_count:,} instances on {len(spec.cells):,} cells, "
            f"simulated {run.now:.1f} s in {wall:.3f} s of wall time"
        )
        frames = run.frames(run.now)
        rows = [
            ("every instance running at", lambda name: _seconds(run.platforms[name].finished_at)),
            ("instances running", lambda name: f"{frames[name].totals['running']:,}"),
            ("apps running", lambda name: f"{frames[name].totals['apps_running']:,}"),
            ("scheduling rounds / cycles", lambda name: f"{frames[name].totals['rounds']:,}"),
            ("failed placements", lambda name: f"{run.platforms[name].trace.placement_failures:,}"),
            ("instances per cell (min-max)", lambda name: "{min}-{max}".format(**frames[name].balance)),
            ("spread (stdev per cell)", lambda name: f"{frames[name].balance['stdev']:.2f}"),
        ]
        w(f"{'':<32}" + "".join(f"{name.capitalize():>16}" for name in platforms))
        for label, value in rows:
            w(f"{label:<32}" + "".join(f"{value(name):>16}" for name in platforms))
        if out is not None:
            summary = {name: frame.header() for name, frame in frames.items()}
            out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
            w(f"wrote the final per-platform figures to {out} (fleet runs keep no event log)")

    def _load(self, name: str) -> Scenario:
        path = Path(name)
        if path.suffix.lower() in (".json", ".yaml", ".yml") or path.exists():
            if not path.is_file():
                raise CommandError(f"no scenario file {name}")
            try:
                return load_scenario_text(path.read_bytes(), guess_format(path.name))
            except ScenarioError as exc:
                raise CommandError(f"{name}: {exc}") from None
        scenario = selectors.scenario_by_slug(name)
        if scenario is None:
            known = (
                ", ".join(s.slug for s in selectors.scenario_list()) or "none loaded yet: run load_scenarios"
            )
            raise CommandError(f"no scenario {name!r} (known: {known})")
        try:
            return scenario.parsed()
        except ScenarioError as exc:
            raise CommandError(f"scenario {name!r} is invalid: {exc}") from None

    def _print_summary(self, sim: Simulation, wall: float, out: Path | None) -> None:
        summary = sim.summary()
        w = self.stdout.write
        w(f"{summary['scenario']} ({summary['platform']}, seed {summary['seed']})")
        w(
            f"simulated {summary['simulated_s']:.1f} s in {wall:.3f} s of wall time: "
            f"{summary['records']} events, {summary['scheduling_rounds']} "
            + ("auction round(s)" if summary["platform"] == "diego" else "scheduling cycle(s)")
        )
        for name, app in summary["apps"].items():
            if app["pushed_at"] is None:
                w(f"{name}: never pushed")
                continue
            line = f"{name}: {app['state']}, pushed at {app['pushed_at']:.1f} s"
            if app["first_running_at"] is not None:
                line += f", first instance running at {app['first_running_at']:.1f} s"
            if app["all_running_at"] is not None:
                line += (
                    f", all {app['desired']} running at {app['all_running_at']:.1f} s "
                    f"({app['time_to_all_running']:.1f} s after the push)"
                )
            w(line + f"; {app['routable']} routable")
        zones = {c.name: c.zone for c in sim.scenario.cells}
        if summary["placements"]:
            w(f"{'instance':<16}{'cell':<24}zone")
            for instance, cell in summary["placements"].items():
                w(f"{instance:<16}{cell or '(not placed)':<24}{zones.get(cell or '', '')}")
        if summary["all_running_at"] is not None:
            w(self.style.SUCCESS(f"every instance was running at {summary['all_running_at']:.1f} s"))
        else:
            w(self.style.WARNING("not every instance was running when the simulation stopped"))
        if out is not None:
            w(f"wrote {summary['records']} events to {out}")
