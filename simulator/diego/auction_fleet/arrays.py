"""The fleet auction's input and output as arrays: the cells, a round's work, its result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simulator.diego.auction import (
    CellState,
    LRPWork,
    TaskWork,
)

if TYPE_CHECKING:
    from simulator.diego.auction_fleet.state import RoundState


@dataclass(slots=True)
class FleetCells:
    """Every cell's state as the auctioneer sees it in a round; arrays mutated in place by a round.

    The auction keeps its score queues on the object from round to round. Between rounds the
    changing arrays (available resources, starting, task count) may be changed in place, best
    recorded in ``changed``; the others (zones, totals, proxy memory, stacks and tags) are not
    to be changed in place: replacing one, or changing ``live``, starts the queues afresh.
    """

    zone: np.ndarray  # int64 zone index per cell
    zone_names: list[str]
    names: list[str]
    index: np.ndarray  # int64, the cell's index (bin-pack term)
    stacks: list[tuple[str, ...]]
    placement_tags: list[tuple[str, ...]]
    optional_placement_tags: list[tuple[str, ...]]
    total_memory: np.ndarray
    total_disk: np.ndarray
    total_containers: np.ndarray
    available_memory: np.ndarray  # mutated
    available_disk: np.ndarray  # mutated
    available_containers: np.ndarray  # mutated
    starting: np.ndarray  # starting containers, mutated
    task_count: np.ndarray  # mutated
    proxy_memory: np.ndarray
    app_counts: dict[int, dict[int, int]]  # app id -> {cell position: instances}, mutated
    live: np.ndarray  # bool: cells that answered the state request this round
    # Cells whose state changed outside the auction since the last round (a container started,
    # a task finished): whoever changes the arrays between rounds adds them here.
    changed: set[int] = field(default_factory=set)
    # Whether ``changed`` names every such cell: a round then reads just those cells instead of
    # comparing every array with its working copy.
    changed_complete: bool = False
    # The auction's state kept from round to round (its score queues): see :func:`round_state`.
    _auction: RoundState | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class WorkBatch:
    """A round's work as arrays: app id, instance index, memory, disk, stack id, tags id.

    For tasks the index is 0 and the app is the task's app (task locality is per cell, not app).
    """

    app: np.ndarray
    index: np.ndarray
    memory_mb: np.ndarray
    disk_mb: np.ndarray
    stack: np.ndarray  # ids into ``stacks``
    tags: np.ndarray  # ids into ``tag_sets``
    stacks: list[str]
    tag_sets: list[tuple[str, ...]]


@dataclass(slots=True)
class RoundResult:
    lrp_cell: np.ndarray  # cell position per LRP of the batch (batch order), -1 when not placed
    lrp_error: np.ndarray  # 0 placed, else an index into ``errors``
    task_cell: np.ndarray
    task_error: np.ndarray
    errors: list[str]  # word for word as the per-item auction gives them ("" at 0)
    ties: int  # placements decided by a tie-break
    # Each item's turn in the round (batch order): what it saw is what the earlier turns left.
    lrp_turn: list[int] = field(default_factory=list)
    task_turn: list[int] = field(default_factory=list)


def fleet_cells(states: list[CellState], app_ids: dict[str, int]) -> FleetCells:
    """The arrays of per-item cell states. Apps missing from ``app_ids`` are added to it.

    Evacuating cells are not live: the auctioneer leaves them out of the round (§1.2).
    """

    def column(attribute: str) -> np.ndarray:
        return np.array([getattr(s, attribute) for s in states], dtype=np.int64)

    zone_names = list(dict.fromkeys(s.zone for s in states))
    zone_id = {zone: i for i, zone in enumerate(zone_names)}
    app_counts: dict[int, dict[int, int]] = {}
    for position, state in enumerate(states):
        for app, count in state.lrp_counts.items():
            if count:
                app_counts.setdefault(_app_id(app_ids, app), {})[position] = count
    return FleetCells(
        zone=np.array([zone_id[s.zone] for s in states], dtype=np.int64),
        zone_names=zone_names,
        names=[s.name for s in states],
        index=column("index"),
        stacks=[s.stacks for s in states],
        placement_tags=[s.placement_tags for s in states],
        optional_placement_tags=[s.optional_placement_tags for s in states],
        total_memory=column("total_memory_mb"),
        total_disk=column("total_disk_mb"),
        total_containers=column("total_containers"),
        available_memory=column("available_memory_mb"),
        available_disk=column("available_disk_mb"),
        available_containers=column("available_containers"),
        starting=column("starting_containers"),
        task_count=column("task_count"),
        proxy_memory=column("proxy_memory_mb"),
        app_counts=app_counts,
        live=np.array([not s.evacuating for s in states], dtype=bool),
    )


def work_batch(items: Sequence[LRPWork | TaskWork], app_ids: dict[str, int]) -> WorkBatch:
    """The arrays of per-item work (all LRPs or all tasks). Apps missing from ``app_ids`` are added."""
    stacks = list(dict.fromkeys(w.stack for w in items))
    tag_sets = list(dict.fromkeys(w.placement_tags for w in items))

    def column(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=np.int64)

    return WorkBatch(
        app=column([_app_id(app_ids, w.app) for w in items]),
        index=column([w.index if isinstance(w, LRPWork) else 0 for w in items]),
        memory_mb=column([w.memory_mb for w in items]),
        disk_mb=column([w.disk_mb for w in items]),
        stack=column([stacks.index(w.stack) for w in items]),
        tags=column([tag_sets.index(w.placement_tags) for w in items]),
        stacks=stacks,
        tag_sets=tag_sets,
    )


def _app_id(app_ids: dict[str, int], app: str) -> int:
    if app not in app_ids:
        app_ids[app] = max(app_ids.values(), default=-1) + 1
    return app_ids[app]
