"""A scenario's preview: run it headless on its platforms and sum up what happened.

It runs in the request that asks for it, on the server's thread for synchronous views, so it
stops after a wall-clock budget and says how far it got; the built-in scenarios take a tenth of
a second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from simulator.comparison import Comparison
from simulator.fleet.run import FleetRun
from simulator.preflight import PreflightWarning, preflight
from simulator.scenario import Scenario
from simulator.view import ViewState

# Advance this much simulated time between looks at the wall clock.
CHUNK_S = 5.0
BUDGET_S = 5.0
PLATFORM_LABELS = {"diego": "Diego", "eirini": "Eirini on Kubernetes"}


@dataclass
class PlatformPreview:
    platform: str
    label: str
    summary: dict[str, Any]
    # Per cell (node), in the scenario's order: name, zone and the instances on it at the end.
    cells: list[dict[str, Any]]
    unplaced: list[str]
    outages: list[dict[str, Any]]
    metrics: dict[str, Any]


@dataclass
class Preview:
    seed: int
    simulated_s: float
    end_s: float
    finished: bool
    wall_s: float
    platforms: list[PlatformPreview] = field(default_factory=list)
    warnings: list[PreflightWarning] = field(default_factory=list)
    # A fleet-mode scenario (docs/fleet.md): figures per platform and zone, no per-instance rows.
    fleet: list[FleetPreview] = field(default_factory=list)


@dataclass
class FleetPreview:
    platform: str
    label: str
    finished_at: float | None
    totals: dict[str, int]
    balance: dict[str, float]
    placement_failures: int
    # Per zone: cells, instances running, and memory in use of the zone's memory.
    zones: list[dict[str, Any]]


def scenario_preview(
    *, spec: Scenario, platforms: tuple[str, ...], budget_s: float | None = None, seed: int | None = None
) -> Preview:
    budget = BUDGET_S if budget_s is None else budget_s
    if spec.is_fleet:
        return _fleet_preview(spec, platforms, budget, seed)
    comparison = Comparison(spec, seed, platforms)
    started = time.perf_counter()
    while not comparison.done and time.perf_counter() - started < budget:
        comparison.run(until=comparison.now + CHUNK_S)
    wall = time.perf_counter() - started
    summaries = comparison.summary()
    return Preview(
        seed=comparison.seed,
        simulated_s=comparison.now,
        end_s=comparison.end_time,
        finished=comparison.done,
        wall_s=wall,
        platforms=[
            _platform_preview(spec, name, summaries[name], sim.records)
            for name, sim in comparison.runs.items()
        ],
        warnings=[w for w in preflight(spec) if set(w.platforms) & set(platforms)],
    )


def _platform_preview(
    spec: Scenario, platform: str, summary: dict[str, Any], records: list[dict[str, Any]]
) -> PlatformPreview:
    view = ViewState(spec, platform)
    view.apply_all(records)
    on_cell: dict[str, list[str]] = {cell.name: [] for cell in spec.cells}
    unplaced = []
    for instance, cell in sorted(summary["placements"].items()):
        if cell is None:
            unplaced.append(instance)
        else:
            on_cell.setdefault(cell, []).append(instance)
    zones = {cell.name: cell.zone for cell in spec.cells}
    return PlatformPreview(
        platform=platform,
        label=PLATFORM_LABELS.get(platform, platform),
        summary=summary,
        cells=[
            {"name": name, "zone": zones.get(name, ""), "instances": found} for name, found in on_cell.items()
        ],
        unplaced=unplaced,
        outages=[{"app": app, "start": start, "end": end} for app, start, end in view.outages],
        metrics=view.metrics,
    )


def _fleet_preview(spec: Scenario, platforms: tuple[str, ...], budget: float, seed: int | None) -> Preview:
    run = FleetRun(spec, platforms, seed)
    started = time.perf_counter()
    while not run.finished and run.now < spec.duration_s and time.perf_counter() - started < budget:
        run.advance(min(spec.duration_s, run.now + 10 * CHUNK_S))
    wall = time.perf_counter() - started
    previews = []
    for name, platform in run.platforms.items():
        frame = platform.frame(run.now)
        layout = platform.layout
        zones = []
        for zone in spec.zones:
            cells = [i for i, z in enumerate(layout.zones) if z == zone]
            zones.append(
                {
                    "zone": zone,
                    "cells": len(cells),
                    "running": int(frame.running[cells].sum()),
                    "memory_used_mb": int(frame.memory_mb[cells].sum()),
                    "memory_mb": int(layout.memory_mb[cells].sum()),
                }
            )
        previews.append(
            FleetPreview(
                platform=name,
                label=PLATFORM_LABELS.get(name, name),
                finished_at=platform.finished_at if platform.finished else None,
                totals=frame.totals,
                balance=frame.balance,
                placement_failures=platform.trace.placement_failures,
                zones=zones,
            )
        )
    return Preview(
        seed=seed if seed is not None else spec.seed,
        simulated_s=run.now,
        end_s=spec.duration_s,
        finished=run.finished,
        wall_s=wall,
        fleet=previews,
        warnings=[w for w in preflight(spec) if set(w.platforms) & set(platforms)],
    )
