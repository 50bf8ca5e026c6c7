"""Why this cell? for Diego in fleet mode: any placement of the run, explained after the fact.

A fleet run keeps no per-placement tables (250,000 of them would not fit), but it keeps enough
to rebuild what the auctioneer saw: the round and turn that placed every instance and staging
task, and when each held and gave back its resources. The cells' states at that turn are summed
from the trace with numpy, then the per-item auction (:func:`simulator.diego.auction.place_lrp`,
the detailed model's own code) scores every cell for the item. Its table is the explanation, and
the cell the fleet run actually chose must be among its lowest scores: the two implementations
check each other on every question asked.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.diego.auction import (
    CellState,
    LRPWork,
    Placement,
    TaskWork,
    place_lrp,
    place_task,
)

if TYPE_CHECKING:
    from simulator.fleet.diego import DiegoFleet


class NotPlaced(ValueError):
    """The instance or staging task has no placement (yet)."""


def lrp_decision(fleet: DiegoFleet, instance: int) -> dict[str, Any]:
    """The auction decision that placed ``instance`` (an index into the run's instances)."""
    apps = fleet.apps
    app = int(apps.app_of_instance(np.array([instance]))[0])
    index = instance - int(apps.first_instance[app])
    round_ = int(fleet.lrp_round[instance])
    if round_ < 0:
        raise NotPlaced(f"{apps.name(app)}/{index} has not been placed")
    template = apps.templates[int(apps.template[app])]
    work = LRPWork(
        apps.name(app),
        index,
        int(apps.memory_mb[app]),
        int(apps.disk_mb[app]),
        template.stack,
        template.placement_tags,
    )
    states = cells_at(fleet, round_, int(fleet.lrp_turn[instance]), app)
    placement = place_lrp(states, work, fleet.scenario.diego, random.Random(0))
    return _decision(fleet, placement, round_, int(fleet.trace.node[instance]))


def staging_decision(fleet: DiegoFleet, app: int) -> dict[str, Any]:
    """The auction decision that placed ``app``'s staging task."""
    apps = fleet.apps
    round_ = int(fleet.task_round[app])
    if round_ < 0:
        raise NotPlaced(f"{apps.name(app)}'s staging task has not been placed")
    template = apps.templates[int(apps.template[app])]
    work = TaskWork(
        f"staging-{apps.name(app)}",
        apps.name(app),
        int(fleet.staging_memory[app]),
        int(fleet.staging_disk[app]),
        template.stack,
        template.placement_tags,
    )
    states = cells_at(fleet, round_, int(fleet.task_turn[app]), app)
    placement = place_task(states, work, fleet.scenario.diego, random.Random(0))
    return _decision(fleet, placement, round_, int(fleet.trace.staging_node[app]))


def cells_at(fleet: DiegoFleet, round_: int, turn: int, app: int) -> list[CellState]:
    """Every cell as the auctioneer saw it at ``turn`` of ``round_``: what earlier rounds placed
    and had not given back by the round's state fetch, plus the round's earlier turns."""
    decided = float(fleet.trace.round_at[round_])
    n = len(fleet.layout.names)
    trace, apps, cells = fleet.trace, fleet.apps, fleet.cells

    def before(rounds: np.ndarray, turns: np.ndarray) -> np.ndarray:
        return (rounds >= 0) & ((rounds < round_) | ((rounds == round_) & (turns < turn)))

    def per_cell(nodes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(nodes, weights=weights, minlength=n).astype(np.int64)

    # Instances never stop in fleet mode: every one placed before holds its container and
    # resources; it counts as starting until its start reached the rep before the fetch.
    held = before(fleet.lrp_round, fleet.lrp_turn)
    nodes = trace.node[held]
    instance_app = fleet.instance_app[held]
    memory = per_cell(nodes, apps.memory_mb[instance_app])
    disk = per_cell(nodes, apps.disk_mb[instance_app])
    containers = per_cell(nodes)
    starting = per_cell(nodes[trace.running_at[held] > decided])
    this_app = per_cell(nodes[instance_app == app])
    # Staging tasks hold theirs until done; their containers start when created.
    tasks = before(fleet.task_round, fleet.task_turn) & (fleet.task_done > decided)
    task_nodes = trace.staging_node[tasks]
    memory += per_cell(task_nodes, fleet.staging_memory[tasks])
    disk += per_cell(task_nodes, fleet.staging_disk[tasks])
    task_count = per_cell(task_nodes)
    containers += task_count
    starting += per_cell(task_nodes[fleet.task_created[tasks] > decided])

    name = apps.name(app)
    layout = fleet.layout
    return [
        CellState(
            name=layout.names[c],
            zone=layout.zones[c],
            index=int(cells.index[c]),
            stacks=cells.stacks[c],
            placement_tags=cells.placement_tags[c],
            optional_placement_tags=cells.optional_placement_tags[c],
            total_memory_mb=int(cells.total_memory[c]),
            total_disk_mb=int(cells.total_disk[c]),
            total_containers=int(cells.total_containers[c]),
            available_memory_mb=int(cells.total_memory[c] - memory[c]),
            available_disk_mb=int(cells.total_disk[c] - disk[c]),
            available_containers=int(cells.total_containers[c] - containers[c]),
            starting_containers=int(starting[c]),
            lrp_counts={name: int(this_app[c])} if this_app[c] else {},
            task_count=int(task_count[c]),
            proxy_memory_mb=int(cells.proxy_memory[c]),
        )
        for c in range(n)
    ]


def _decision(fleet: DiegoFleet, placement: Placement, round_: int, chosen: int) -> dict[str, Any]:
    """The decision record the run page's decision panel reads, as the detailed model writes it,
    with the fleet run's own winner. ``consistent``: that winner had the lowest score."""
    work = placement.work
    settings = fleet.scenario.diego
    is_lrp = isinstance(work, LRPWork)
    candidates = [c.to_dict() for c in placement.candidates]
    winner = fleet.layout.names[chosen]
    scores = [c.score for c in placement.candidates if c.verdict == "ok" and c.score is not None]
    best = min(scores, default=None)
    mine = next((c.score for c in placement.candidates if c.cell == winner), None)
    weights: dict[str, float] = {"starting_container_weight": settings.starting_container_weight}
    if is_lrp:
        weights["bin_pack_first_fit_weight"] = settings.bin_pack_first_fit_weight
    return {
        "t": round(float(fleet.trace.round_at[round_]), 6),
        "work": work.key,
        "work_type": "lrp" if is_lrp else "task",
        "app": work.app,
        "index": work.index if isinstance(work, LRPWork) else None,
        "round": round_ + 1,
        "winner": winner,
        "error": None,
        "memory_mb": work.memory_mb,
        "disk_mb": work.disk_mb,
        "stack": work.stack,
        "placement_tags": list(work.placement_tags),
        "weights": weights,
        "zone_counts": placement.zone_counts,
        "zones_considered": placement.zones_considered,
        "tied": placement.tied,
        "candidates": candidates,
        "consistent": best is not None and mine == best,
    }
