"""The order in which one auction round places its work (diego.md §1.3)."""

from __future__ import annotations

import random

import pytest

from simulator.diego.auction import LRPWork, TaskWork, Work, auction_order, schedule_round
from simulator.scenario import DiegoSettings
from tests.simulator.factories import make_cell, make_lrp, make_task


def keys(order: list[Work]) -> list[str]:
    return [work.key for work in order]


# Distinct sort keys everywhere, so the expected order is unique whatever the seed.
LRPS: list[LRPWork] = [
    make_lrp("a", 0, memory_mb=256),
    make_lrp("b", 0, memory_mb=1024),
    make_lrp("c", 1, memory_mb=2048),
    make_lrp("a", 1, memory_mb=256),
    make_lrp("b", 2, memory_mb=1024),
    make_lrp("c", 0, memory_mb=512),
    make_lrp("d", 1, memory_mb=4096),
    make_lrp("d", 2, memory_mb=64),
]
TASKS: list[TaskWork] = [
    make_task("t-small", memory_mb=128),
    make_task("t-big", memory_mb=2048),
    make_task("t-mid", memory_mb=512),
]
EXPECTED = [
    # 1. every index-0 LRP, larger memory first
    "b/0",  # 1024
    "c/0",  # 512
    "a/0",  # 256
    # 2. every task, larger memory first
    "task:t-big",  # 2048
    "task:t-mid",  # 512
    "task:t-small",  # 128
    # 3. LRPs of index >= 1: index ascending, then larger memory first
    "d/1",  # 4096
    "c/1",  # 2048
    "a/1",  # 256
    "b/2",  # 1024
    "d/2",  # 64
]


@pytest.mark.parametrize("seed", range(10))
def test_index_zero_lrps_then_tasks_then_higher_indices(seed: int) -> None:
    """Index-0 LRPs go first, then tasks, then index >= 1 by index, larger memory first (§1.3)."""
    assert keys(auction_order(LRPS, TASKS, random.Random(seed))) == EXPECTED


def test_a_large_index_one_lrp_waits_behind_small_tasks_and_small_index_zero_lrps() -> None:
    """One big app cannot starve other apps' first instances, nor tasks (§1.3, design note)."""
    huge = make_lrp("huge", 1, memory_mb=30000)
    tiny_first = make_lrp("tiny", 0, memory_mb=32)
    tiny_task = make_task("tiny-task", memory_mb=32)

    order = keys(auction_order([huge, tiny_first], [tiny_task], random.Random(0)))

    assert order == ["tiny/0", "task:tiny-task", "huge/1"]


def test_work_only_of_one_kind_keeps_its_own_order() -> None:
    """Without tasks, index-0 LRPs still come before index >= 1; without LRPs, tasks by memory."""
    lrps = [make_lrp("x", 2, memory_mb=10), make_lrp("x", 0, memory_mb=10), make_lrp("x", 1)]
    assert keys(auction_order(lrps, [], random.Random(0))) == ["x/0", "x/1", "x/2"]

    tasks = [make_task("s", memory_mb=1), make_task("l", memory_mb=3), make_task("m", memory_mb=2)]
    assert keys(auction_order([], tasks, random.Random(0))) == ["task:l", "task:m", "task:s"]


def test_equal_keys_come_out_in_either_order_but_the_seed_fixes_it() -> None:
    """Go's sort is not stable, so equal items may swap; a given seed always picks the same way."""
    twins = [make_lrp("left", 1, memory_mb=512), make_lrp("right", 1, memory_mb=512)]
    task_twins = [make_task("t1", memory_mb=64), make_task("t2", memory_mb=64)]

    seen_tasks = set()
    seen_lrps = set()
    for seed in range(40):
        first = keys(auction_order(twins, task_twins, random.Random(seed)))
        again = keys(auction_order(twins, task_twins, random.Random(seed)))
        assert first == again
        # Whatever the tie-break, tasks still precede the index-1 LRPs.
        assert set(first[:2]) == {"task:t1", "task:t2"}
        seen_tasks.add(tuple(first[:2]))
        seen_lrps.add(tuple(first[2:]))

    assert seen_tasks == {("task:t1", "task:t2"), ("task:t2", "task:t1")}
    assert seen_lrps == {("left/1", "right/1"), ("right/1", "left/1")}


def test_auction_order_does_not_modify_its_inputs() -> None:
    """Ordering works on copies: the caller's lists keep their order."""
    lrps = list(LRPS)
    tasks = list(TASKS)
    auction_order(lrps, tasks, random.Random(3))
    assert lrps == LRPS
    assert tasks == TASKS


def test_a_round_places_in_auction_order_so_early_items_take_the_room() -> None:
    """Placement follows the order, and each placement uses up room later items needed (§1.3)."""
    # Room for 1536 MB only: the index-0 LRP (512) and the task (1024) fit, the index-1 LRP not.
    cell = make_cell("cell-1", total_memory_mb=4096, available_memory_mb=1536)
    big_second = make_lrp("big", 1, memory_mb=1024)
    task = make_task("t", memory_mb=1024)
    small_first = make_lrp("small", 0, memory_mb=512)

    placements = schedule_round([cell], [big_second, small_first], [task], DiegoSettings(), random.Random(0))

    assert [p.work.key for p in placements] == ["small/0", "task:t", "big/1"]
    assert [p.winner for p in placements] == ["cell-1", "cell-1", None]
    assert placements[2].error == "insufficient resources: memory"
    assert cell.available_memory_mb == 0
