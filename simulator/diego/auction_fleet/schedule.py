"""A round: Scheduler.Schedule over arrays (§1.3–§1.8)."""

from __future__ import annotations

import numpy as np

from simulator.diego.auction_fleet import placing, tuning
from simulator.diego.auction_fleet.arrays import (
    FleetCells,
    RoundResult,
    WorkBatch,
)
from simulator.diego.auction_fleet.order import fleet_order
from simulator.diego.auction_fleet.queues import (
    LRP,
    TASK,
    Lane,
)
from simulator.diego.auction_fleet.state import RoundState, round_state
from simulator.diego.constants import (
    ERROR_CELL_COMMUNICATION,
    ERROR_INFLIGHT_LIMIT,
)
from simulator.scenario import DiegoSettings


def schedule_round_fleet(
    cells: FleetCells,
    lrps: WorkBatch,
    tasks: WorkBatch,
    settings: DiegoSettings,
    rng: np.random.Generator,
) -> RoundResult:
    """Scheduler.Schedule over arrays (§1.3–§1.8); ``cells`` are updated in place."""
    first, task_order, rest = fleet_order(lrps, tasks, rng)
    state = round_state(cells, settings)
    state.begin(rng)
    errors = [""]
    codes = {"": 0}

    def code(text: str) -> int:
        if text not in codes:
            codes[text] = len(errors)
            errors.append(text)
        return codes[text]

    limit = settings.starting_container_count_maximum
    inflight = int(cells.starting[state.live].sum()) if limit > 0 else 0
    any_live = state.any_live
    outcomes = {LRP: _outcome(lrps), TASK: _outcome(tasks)}
    lanes = {LRP: _lanes(state, LRP, lrps), TASK: _lanes(state, TASK, tasks)}
    app_counts = cells.app_counts
    for kind, order in ((LRP, first), (TASK, task_order), (LRP, rest)):
        apps, item_lanes, lane_ids = lanes[kind]
        placed, failed = outcomes[kind]
        is_lrp = kind == LRP
        run_ends = _run_ends(lane_ids, order)
        k = next_run = 0
        while k < len(order):
            position, i = k, order[k]
            k += 1
            # place_in_order: the in-flight limit (§1.8) first, then no cells at all (§1.1).
            if limit > 0 and inflight >= limit:
                failed[i] = code(ERROR_INFLIGHT_LIMIT)
                continue
            if not any_live:
                failed[i] = code(ERROR_CELL_COMMUNICATION)
                continue
            lane = item_lanes[i]
            zones = lane.zones
            if not zones:
                failed[i] = code(lane.filt.error)
                continue
            app = apps[i]
            if lane.queued and run_ends[position] - position >= tuning.BULK_MIN and position >= next_run:
                room = limit - inflight if limit > 0 else len(order)
                done = placing.bulk(state, lane, order[position : run_ends[position]], apps, placed, room)
                if done:
                    k = position + done
                    inflight += done
                    continue
                # No run from this tie: place its items the usual way before trying again.
                next_run = position + state.small_tie
            if lane.queued and not (is_lrp and app_counts.get(app)):
                winner = placing.best_in_queues(state, lane.queues, lane, None, zones)
            else:
                winner = placing.place_lrp(state, app, lane) if is_lrp else placing.place_task(state, lane)
            if winner < 0:
                failed[i] = code(state.no_fit_error(lane))
                continue
            state.reserve(winner, is_lrp, app, lane.memory, lane.disk)
            placed[i] = winner
            inflight += 1
    state.write_back()
    (lrp_cell, lrp_error), (task_cell, task_error) = outcomes[LRP], outcomes[TASK]
    return RoundResult(
        lrp_cell=np.array(lrp_cell, dtype=np.int64),
        lrp_error=np.array(lrp_error, dtype=np.int64),
        task_cell=np.array(task_cell, dtype=np.int64),
        task_error=np.array(task_error, dtype=np.int64),
        errors=errors,
        ties=state.ties,
        lrp_turn=_turns(len(lrps.app), (first, 0), (rest, len(first) + len(task_order))),
        task_turn=_turns(len(tasks.app), (task_order, len(first))),
    )


def _turns(count: int, *orders: tuple[list[int], int]) -> list[int]:
    """Each batch position's turn, from the orders its items were taken in and where each began."""
    turns = [0] * count
    for order, start in orders:
        for turn, i in enumerate(order, start):
            turns[i] = turn
    return turns


def _outcome(batch: WorkBatch) -> tuple[list[int], list[int]]:
    return [-1] * len(batch.app), [0] * len(batch.app)


def _run_ends(lane_ids: list[int], order: list[int]) -> list[int]:
    """For each position in ``order``, where the run of items of the same lane ends."""
    ends = [0] * len(order)
    end = len(order)
    following = -1
    for position in range(len(order) - 1, -1, -1):
        lane = lane_ids[order[position]]
        if lane != following:
            end, following = position + 1, lane
        ends[position] = end
    return ends


def _lanes(state: RoundState, kind: int, batch: WorkBatch) -> tuple[list[int], list[Lane], list[int]]:
    """Per item: its app and its lane (and the lane's number). A lane with enough items
    (this round's and earlier ones') gets queues."""
    count = len(batch.app)
    if count <= max(tuning.SMALL_BATCH, 1):  # the many small rounds of a real push: plain Python
        columns = (batch.memory_mb, batch.disk_mb, batch.stack, batch.tags)
        keys = list(zip(*(np.asarray(c).tolist() for c in columns), strict=True))
        numbers: dict[tuple[int, int, int, int], int] = {}
        lane_ids = [numbers.setdefault(key, len(numbers)) for key in keys]
        sizes = [0] * len(numbers)
        for number in lane_ids:
            sizes[number] += 1
        lanes = [
            state.lane(kind, m, d, batch.stacks[s], batch.tag_sets[t], size)
            for (m, d, s, t), size in zip(numbers, sizes, strict=True)
        ]
        return np.asarray(batch.app).tolist(), [lanes[k] for k in lane_ids], lane_ids
    columns = np.stack([np.asarray(c) for c in (batch.memory_mb, batch.disk_mb, batch.stack, batch.tags)])
    order = np.lexsort(columns[::-1]) if count > 1 else np.zeros(count, dtype=np.int64)
    columns = columns[:, order]
    new_lane = np.concatenate(([True], (columns[:, 1:] != columns[:, :-1]).any(axis=0)))
    starts = np.flatnonzero(new_lane)
    sizes = np.diff(np.append(starts, count)).tolist()
    lanes = [
        state.lane(kind, m, d, batch.stacks[s], batch.tag_sets[t], size)
        for (m, d, s, t), size in zip(columns[:, starts].T.tolist(), sizes, strict=True)
    ]
    lane_of = np.empty(count, dtype=np.int64)
    lane_of[order] = np.cumsum(new_lane) - 1
    lane_ids = lane_of.tolist()
    return np.asarray(batch.app).tolist(), [lanes[k] for k in lane_ids], lane_ids
