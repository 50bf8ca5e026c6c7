"""The vectorised auction places every item exactly where the per-item auction does (issue 7).

Random clusters and workloads are scheduled twice, by ``auction.schedule_round`` and by
``schedule_round_vectorised``, from copies of the same cells with equal-seeded generators; the
placements, the cells afterwards and the generators' states must all be equal.
"""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest

from simulator.diego.auction import CellState, LRPWork, Placement, TaskWork, schedule_round
from simulator.diego.auction_vectorised import schedule_round_vectorised
from simulator.scenario import DiegoSettings
from tests.simulator.factories import make_cell, make_lrp, make_task

STACKS = ("cflinuxfs3", "cflinuxfs4")
TAGS = ("iso-a", "iso-b")


def random_cluster(r: random.Random, cell_count: int) -> list[CellState]:
    zones = [f"z{i}" for i in range(r.randint(1, 4))]
    apps = [f"app{i}" for i in range(4)]
    cells = []
    for i in range(cell_count):
        # Few distinct capacities and usages, so that equal scores (ties) are common.
        memory = r.choice((2048, 4096, 8192))
        disk = r.choice((4096, 8192))
        containers = r.choice((4, 8, 250))
        required = r.choice(((), (), (), ("iso-a",)))
        optional = r.choice(((), ("iso-b",)))
        cells.append(
            make_cell(
                f"cell-{i}",
                zone=r.choice(zones),
                index=i,
                stacks=r.choice(((STACKS[1],), (STACKS[1],), STACKS, (STACKS[0],))),
                placement_tags=required,
                optional_placement_tags=optional,
                total_memory_mb=memory,
                total_disk_mb=disk,
                total_containers=containers,
                available_memory_mb=memory - r.choice((0, 0, 1024, memory)),
                available_disk_mb=disk - r.choice((0, 0, 2048)),
                available_containers=containers - r.choice((0, 0, 1, containers)),
                starting_containers=r.choice((0, 0, 1, 2)),
                lrp_counts={a: r.randint(1, 2) for a in apps if r.random() < 0.2},
                task_count=r.choice((0, 0, 1)),
                proxy_memory_mb=r.choice((0, 0, 32)),
            )
        )
    return cells


def random_work(r: random.Random) -> tuple[list[LRPWork], list[TaskWork]]:
    lrps = []
    for a in range(r.randint(0, 5)):
        memory, disk = r.choice((256, 512, 1024)), r.choice((256, 1024))
        stack = r.choice((STACKS[1], STACKS[1], STACKS[1], STACKS[0], "windows"))
        tags = r.choice(((), (), ("iso-a",), ("iso-b",), ("iso-a", "iso-b")))
        for index in range(r.randint(1, 6)):
            lrps.append(
                make_lrp(f"app{a}", index, memory_mb=memory, disk_mb=disk, stack=stack, placement_tags=tags)
            )
    tasks = [
        make_task(
            f"t{t}",
            memory_mb=r.choice((128, 512, 4096)),
            disk_mb=r.choice((256, 1024)),
            stack=r.choice((STACKS[1], STACKS[1], STACKS[0])),
            placement_tags=r.choice(((), (), ("iso-a",))),
        )
        for t in range(r.randint(0, 4))
    ]
    return lrps, tasks


def random_settings(r: random.Random) -> DiegoSettings:
    return DiegoSettings(
        starting_container_weight=r.choice((0.25, 0.25, 0.0, 1.0)),
        bin_pack_first_fit_weight=r.choice((0.0, 0.0, 0.5)),
        starting_container_count_maximum=r.choice((0, 0, 0, 20)),
    )


def outcome(placements: list[Placement]) -> list[tuple[object, ...]]:
    return [
        (
            p.work.key,
            p.winner,
            p.error,
            p.tied,
            p.zone_counts,
            p.zones_considered,
            [c.to_dict() for c in p.candidates],
        )
        for p in placements
    ]


def run_both(
    cells: list[CellState], lrps: list[LRPWork], tasks: list[TaskWork], settings: DiegoSettings, seed: int
) -> tuple[list[Placement], list[Placement], list[CellState], list[CellState], bool]:
    item_cells, vector_cells = copy.deepcopy(cells), copy.deepcopy(cells)
    item_rng, vector_rng = random.Random(seed), random.Random(seed)
    expected = schedule_round(item_cells, lrps, tasks, settings, item_rng)
    actual = schedule_round_vectorised(vector_cells, lrps, tasks, settings, vector_rng)
    return expected, actual, item_cells, vector_cells, item_rng.getstate() == vector_rng.getstate()


@pytest.mark.parametrize("seed", range(400))
def test_it_places_exactly_like_the_per_item_auction(seed: int) -> None:
    r = random.Random(seed)
    cells = random_cluster(r, r.randint(1, 30))
    lrps, tasks = random_work(r)
    expected, actual, item_cells, vector_cells, same_rng = run_both(
        cells, lrps, tasks, random_settings(r), seed
    )

    assert outcome(actual) == outcome(expected)
    assert vector_cells == item_cells
    assert same_rng


def test_it_keeps_placing_exactly_over_consecutive_rounds() -> None:
    r = random.Random(7)
    cells = random_cluster(r, 12)
    item_cells, vector_cells = copy.deepcopy(cells), copy.deepcopy(cells)
    item_rng, vector_rng = random.Random(1), random.Random(1)
    for _ in range(15):
        lrps, tasks = random_work(r)
        expected = schedule_round(item_cells, lrps, tasks, DiegoSettings(), item_rng)
        actual = schedule_round_vectorised(vector_cells, lrps, tasks, DiegoSettings(), vector_rng)
        assert outcome(actual) == outcome(expected)
    assert vector_cells == item_cells


def test_it_places_exactly_on_a_thousand_cells() -> None:
    r = random.Random(1000)
    zones = ("z1", "z2", "z3")
    cells = [
        make_cell(
            f"cell-{i}",
            zone=zones[i % 3],
            index=i,
            available_memory_mb=32768 - r.choice((0, 0, 1024, 2048)),
            available_containers=250 - r.choice((0, 1, 2)),
            lrp_counts={"web": 1} if r.random() < 0.1 else {},
        )
        for i in range(1000)
    ]
    lrps = [make_lrp(f"app{a}", i, memory_mb=(a % 3 + 1) * 128) for a in range(40) for i in range(5)]
    lrps += [make_lrp("web", i) for i in range(20)]
    tasks = [make_task(f"t{t}", memory_mb=512) for t in range(20)]
    expected, actual, item_cells, vector_cells, same_rng = run_both(cells, lrps, tasks, DiegoSettings(), 99)

    # Over 50 cells the vectorised auction leaves out the candidate rows.
    assert [(p.work.key, p.winner, p.error, p.tied, p.zones_considered) for p in actual] == [
        (p.work.key, p.winner, p.error, p.tied, p.zones_considered) for p in expected
    ]
    assert all(p.candidates == [] for p in actual)
    assert vector_cells == item_cells
    assert same_rng


def test_a_numpy_generator_places_every_item_where_it_fits() -> None:
    cells = [make_cell(f"cell-{i}", zone=f"z{i % 2}") for i in range(6)]
    lrps = [make_lrp("web", i) for i in range(6)]

    placements = schedule_round_vectorised(cells, lrps, [], DiegoSettings(), np.random.default_rng(3))

    # Locality 1000 spreads six instances over six empty cells, three per zone.
    assert sorted(p.winner or "" for p in placements) == [f"cell-{i}" for i in range(6)]
