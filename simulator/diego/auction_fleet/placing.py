"""Placing one item, or a run of alike items, on the state's queues or by numpy (§1.6, §1.7)."""

from __future__ import annotations

import numpy as np

from simulator.diego.auction_fleet import tuning
from simulator.diego.auction_fleet.queues import (
    INF,
    LRP,
    Lane,
    Queue,
    free_level,
    zone_groups,
)
from simulator.diego.auction_fleet.state import TWO_64, RoundState


def place_lrp(state: RoundState, app: int, lane: Lane) -> int:
    """scheduleLRPAuction (§1.6): the winning cell, or -1 if none fits."""
    holders = state.app_counts.get(app)
    zones = lane.filt.zones
    if not holders:
        if lane.queued:
            return best_in_queues(state, lane.queues, lane, None, zones)
        return direct(state, lane, None, [zones])
    groups = zone_groups(zones, state.app_zone_counts(app, holders))
    if not lane.queued:
        return direct(state, lane, holders, groups)
    own = len(holders) > tuning.FEW_HOLDERS
    queues = lane.own.setdefault(app, [None] * state.zones) if own else lane.queues
    zone = state.zone
    for group in groups:
        near = [] if own else [(c, k) for c, k in holders.items() if k and zone[c] in group]
        if near:
            winner = best_with_holders(state, lane, near, group)
        else:
            winner = best_in_queues(state, queues, lane, holders if own else None, group)
        if winner >= 0:
            return winner
    return -1


def place_task(state: RoundState, lane: Lane) -> int:
    """scheduleTaskAuction (§1.7): all zones pooled; the winning cell, or -1 if none fits."""
    if lane.queued:
        return best_in_queues(state, lane.queues, lane, None, lane.filt.zones)
    return direct(state, lane, None, [lane.filt.zones])


def direct(state: RoundState, lane: Lane, holders: dict[int, int] | None, groups: list[list[int]]) -> int:
    """Every cell of a zone group scored at once with numpy; the first group with a fit wins."""
    for group in groups:
        if len(group) == len(lane.filt.zones):
            cells = lane.filt.cells
        else:
            cells = lane.filt.cells[np.isin(lane.filt.zone_of, group)]
        cells, keys = state.vector_keys(lane, holders, cells)
        if len(cells):
            tied = cells[keys == keys.min()]
            if len(tied) == 1:
                return int(tied[0])
            state.ties += 1
            zone_of = state.cells.zone[tied]
            counts = np.bincount(zone_of)
            zones = np.flatnonzero(counts).tolist()
            j, u = state.pick(zones, counts[zones].tolist())
            return int(tied[zone_of == zones[j]][u])
    return -1


def best_in_queues(
    state: RoundState,
    queues: list[Queue | None],
    lane: Lane,
    holders: dict[int, int] | None,
    zones: list[int],
) -> int:
    """The lowest score over the zones' queues; ties by zone size, then uniform in the zone."""
    best = INF
    tops: list[Queue] = []
    for z in zones:
        queue = queues[z]
        if queue is None:
            queue = state.fresh(queues, lane, holders, z)
        elif queue.synced != len(queue.log):
            if len(queue.log) - queue.synced > tuning.REBUCKET_LIMIT:
                state.build(queue)
            else:
                queue.rebucket()
        levels = queue.levels
        if levels:
            top = levels[0]
            if top < best:
                best, tops = top, [queue]
            elif top == best:
                tops.append(queue)
    if not tops:
        return -1
    if len(tops) == 1:
        bucket = tops[0].buckets[best]
        if len(bucket) == 1:
            return bucket[0]
        state.ties += 1
        return bucket[state.below(len(bucket))]
    state.ties += 1
    buckets = [q.buckets[best] for q in tops]
    j, u = state.pick([q.zone for q in tops], list(map(len, buckets)))
    return buckets[j][u]


def bulk(
    state: RoundState, lane: Lane, items: list[int], apps: list[int], placed: list[int], room: int
) -> int:
    """Place a run of the lane's items from its lowest score's tie, each drawn the per-item
    way: a zone by size among those (of its AZ group) still holding tied cells, then a cell
    uniformly. Every winner is checked to score above the tie once placed, so the rest stay
    tied and the draws need no queue work. The run stops at an app placed earlier in it or
    running in its group (its cells score apart), after ``room`` items, or when its zones
    run out of tied cells. Returns how many were placed; 0 (and ``small_tie``) if none."""
    best = INF
    tops: list[Queue] = []
    for z in lane.zones:
        queue = state.fresh(lane.queues, lane, None, z)
        if queue.levels and queue.levels[0] <= best:
            if queue.levels[0] < best:
                best, tops = queue.levels[0], []
            tops.append(queue)
    buckets = [q.buckets[best] for q in tops]
    tied = sum(map(len, buckets))
    state.small_tie = max(tied, 1)
    if tied < tuning.BULK_MIN:
        return 0
    # The run: each item's zones among the tie's (None: all of them) and the cells it passes
    # over, those running its app (they score 1000 more per instance: checked), up to the
    # first item whose app was placed earlier in the run.
    slot = {q.zone: j for j, q in enumerate(tops)}
    app_counts = state.app_counts if lane.kind == LRP else {}
    anywhere: tuple[None, frozenset[int]] = (None, frozenset())
    allowed: list[tuple[list[int] | None, frozenset[int]]] = []
    seen: set[int] = set()
    for i in items[: min(room, tied)]:
        app = apps[i]
        holders = app_counts.get(app)
        if app in seen:
            break
        if holders:
            counts = state.app_zone_counts(app, holders)
            group = zone_groups(lane.zones, counts)[0]
            if not slot.keys() & group:
                break
            held: frozenset[int] = frozenset()
            if counts[group[0]]:
                held = frozenset(
                    c
                    for c, k in holders.items()
                    if k
                    and state.zone[c] in slot
                    and state.zone[c] in group
                    and tops[slot[state.zone[c]]].key[c] == best
                )
                if any(state.lrp_score(c, lane, holders[c]) <= best for c in held):
                    break
            allowed.append(([slot[z] for z in group if z in slot], held))
        else:
            allowed.append(anywhere)
        seen.add(app)
    if not allowed:
        return 0
    fitting, after = state.vector_keys(lane, None, np.array([c for b in buckets for c in b]), taken=1)
    if not (after > best).all():
        return 0
    sizes = [state.sizes[q.zone] for q in tops]
    remaining = list(map(len, buckets))
    everywhere = list(range(len(tops)))  # the tie's zones with cells left
    everywhere_size = sum(sizes)
    # Each zone's tied cells left, in a random order drawn when first needed: taking the last
    # takes one uniformly; so does taking any at a uniform position, as a passing-over must.
    shuffled: list[list[int]] = [[] for _ in tops]
    taken: list[list[int]] = [[] for _ in tops]
    gone: set[int] = set()  # the winners, when some item passes cells over
    held_any = any(held for _, held in allowed)
    ties, below, raw = 0, state.below, state.raw
    for n, (zones, held) in enumerate(allowed):
        if zones is None:
            open_, size = everywhere, everywhere_size
            ties += tied - n > 1
        else:
            # Tied cells left per zone, bar the ones the item passes over.
            left = [remaining[j] for j in zones]
            for c in held - gone:
                left[zones.index(slot[state.zone[c]])] -= 1
            open_ = [j for j, count in zip(zones, left, strict=True) if count]
            size = sum([sizes[j] for j in open_])
            ties += sum(left) > 1
        if not open_:
            del allowed[n:]
            break
        j = open_[0]
        if len(open_) > 1:
            # below(size), inlined: a 64-bit draw, unless it falls in the uneven tail.
            r = raw.pop() if raw else -1
            if r < 0 or r - r % size > TWO_64 - size:
                r = below(size)
            r %= size
            for j in open_:
                r -= sizes[j]
                if r < 0:
                    break
        if not shuffled[j]:
            shuffled[j] = [buckets[j][p] for p in state.rng.permutation(remaining[j]).tolist()]
        cells = shuffled[j]
        if held:
            u = below(len(cells))
            while cells[u] in held:
                u = below(len(cells))
            c, cells[u] = cells[u], cells[-1]
            cells.pop()
        else:
            c = cells.pop()
        remaining[j] -= 1
        if not remaining[j]:
            everywhere.remove(j)
            everywhere_size -= sizes[j]
        placed[items[n]] = c
        taken[j].append(c)
        if held_any:
            gone.add(c)
    state.ties += ties
    run = items[: len(allowed)]
    state.reserve_run(lane, run, apps, placed, tops, taken)
    # The lane's queues know the winners' new scores already: re-bucketing them costs half
    # as much as usual, so it pays for up to twice as many cells before a rebuild does.
    if max(map(len, taken)) <= 2 * tuning.REBUCKET_LIMIT:
        known = dict(zip(fitting.tolist(), after.tolist(), strict=True))
        for queue in tops:
            queue.rebucket(known)
    return len(run)


def best_with_holders(state: RoundState, lane: Lane, holders: list[tuple[int, int]], zones: list[int]) -> int:
    """As :meth:`best_in_queues`, where the queues' scores leave out the app's locality: the
    cells holding the app are scored one by one and passed over in the buckets."""
    zone = state.zone
    rows: list[tuple[Queue, float, int, list[int], list[tuple[float, int]]]] = []
    best = INF
    for z in zones:
        queue = state.fresh(lane.queues, lane, None, z)
        key = queue.key
        held = [(c, k) for c, k in holders if zone[c] == z and key[c] != INF]
        scored = [(state.lrp_score(c, lane, k), c) for c, k in held]
        level, free, passed = free_level(queue, [c for c, _ in held])
        rows.append((queue, level, free, passed, scored))
        best = min(best, level, *(s for s, _ in scored))
    if best == INF:
        return -1
    tie_zones: list[int] = []
    counts: list[int] = []
    for queue, level, free, _, scored in rows:
        tied = (free if level == best else 0) + sum(s == best for s, _ in scored)
        if tied:
            tie_zones.append(queue.zone)
            counts.append(tied)
    if sum(counts) > 1:
        state.ties += 1
    j, u = state.pick(tie_zones, counts)
    queue, level, _, passed, scored = next(row for row in rows if row[0].zone == tie_zones[j])
    tied_holders = [c for s, c in scored if s == best]
    if u < len(tied_holders):
        return tied_holders[u]
    u -= len(tied_holders)
    for p in sorted(queue.pos[c] for c in passed):  # the u-th cell not holding the app
        if p <= u:
            u += 1
    return queue.buckets[level][u]
