"""How the auctioneer scores cells and picks a winner (diego.md §1.3 item 4, §1.6–§1.8).

Expected numbers are worked out by hand from the formulas in the reference, in the comments
next to each assertion, never by calling the scoring code.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from simulator.diego.auction import (
    VERDICT_OK,
    VERDICT_RESOURCES,
    VERDICT_ROOTFS,
    VERDICT_TAGS,
    VERDICT_ZONE_SKIPPED,
    CellState,
    lrp_score_terms,
    place_lrp,
    place_task,
    schedule_round,
    task_score_terms,
)
from simulator.scenario import DiegoSettings
from tests.simulator.factories import make_cell, make_lrp, make_task

DEFAULTS = DiegoSettings()


def half_full_cell(name: str = "cell", **overrides: object) -> CellState:
    """The worked example's cell: 16384 MB / 65536 MB disk / 250 containers, half used."""
    spec: dict[str, object] = {
        "total_memory_mb": 16384,
        "total_disk_mb": 65536,
        "total_containers": 250,
        "available_memory_mb": 8192,
        "available_disk_mb": 32768,
        "available_containers": 200,
    }
    spec.update(overrides)
    return make_cell(name, **spec)  # type: ignore[arg-type]


# --- the LRP score -----------------------------------------------------------------------------


def test_lrp_score_is_utilisation_plus_starting_plus_locality_plus_binpack() -> None:
    """ScoreForLRP = mean utilisation after placement + 0.25·starting + 1000·same app + index·weight."""
    cell = half_full_cell(starting_containers=2, lrp_counts={"web": 1}, index=3)
    lrp = make_lrp("web", 3, memory_mb=1024, disk_mb=2048)
    settings = DiegoSettings(bin_pack_first_fit_weight=0.5)

    terms = lrp_score_terms(cell, lrp, settings)

    # memory after     = 8192 - 1024  = 7168   -> 1 - 7168/16384  = 0.5625
    # disk after       = 32768 - 2048 = 30720  -> 1 - 30720/65536 = 0.53125
    # containers after = 200 - 1      = 199    -> 1 - 199/250     = 0.204
    # resource = (0.5625 + 0.53125 + 0.204) / 3 = 1.29775 / 3     = 0.4325833...
    # starting = 2 × 0.25 = 0.5; locality = 1000 × 1 = 1000; binpack = 3 × 0.5 = 1.5
    assert terms["resource"] == pytest.approx(1.29775 / 3)
    assert terms["starting"] == pytest.approx(0.5)
    assert terms["locality"] == pytest.approx(1000.0)
    assert terms["binpack"] == pytest.approx(1.5)
    assert sum(terms.values()) == pytest.approx(1002.0 + 1.29775 / 3)


def test_the_placement_reports_the_same_hand_computed_score() -> None:
    """A placement's candidate carries the score terms and total the formula gives (§1.6)."""
    cell = half_full_cell(starting_containers=2, lrp_counts={"web": 1}, index=3)
    lrp = make_lrp("web", 3, memory_mb=1024, disk_mb=2048)

    placement = place_lrp([cell], lrp, DiegoSettings(bin_pack_first_fit_weight=0.5), random.Random(0))

    assert placement.winner == "cell"
    (candidate,) = placement.candidates
    assert candidate.verdict == VERDICT_OK
    # Same arithmetic as above: 0.4325833... + 0.5 + 1000 + 1.5.
    assert candidate.score == pytest.approx(1002.4325833333)


def test_bin_pack_weight_defaults_to_zero_so_the_index_does_not_matter() -> None:
    """With the default weight 0.0 the cell index adds nothing (§1.11)."""
    cell = half_full_cell(index=7)
    terms = lrp_score_terms(cell, make_lrp(memory_mb=1024, disk_mb=2048), DEFAULTS)
    assert terms["binpack"] == 0.0


def test_proxy_memory_is_added_to_lrp_memory_for_scoring_only() -> None:
    """LRPs are scored with memory + proxy overhead, but the reservation takes raw memory (§1.5)."""
    cell = half_full_cell(proxy_memory_mb=32)
    lrp = make_lrp(memory_mb=1024, disk_mb=2048)

    terms = lrp_score_terms(cell, lrp, DEFAULTS)

    # memory after = 8192 - (1024 + 32) = 7136 -> 1 - 7136/16384 = 0.564453125
    # resource = (0.564453125 + 0.53125 + 0.204) / 3 = 1.299703125 / 3 = 0.433234375
    assert terms["resource"] == pytest.approx(0.433234375)

    place_lrp([cell], lrp, DEFAULTS, random.Random(0))
    # The quirk: ReserveLRP subtracts 1024, not 1056.
    assert cell.available_memory_mb == 8192 - 1024


def test_proxy_memory_is_not_added_to_task_memory() -> None:
    """Task scores use the task's own memory, without the proxy overhead (§1.7)."""
    cell = half_full_cell(proxy_memory_mb=32)
    terms = task_score_terms(cell, make_task(memory_mb=1024, disk_mb=2048), DEFAULTS)
    # Same as the LRP example without proxy: 1.29775 / 3.
    assert terms["resource"] == pytest.approx(1.29775 / 3)


def test_starting_containers_weigh_a_quarter_each_by_default() -> None:
    """Each starting container adds starting_container_weight (0.25 by default) to the score."""
    calm = make_cell("calm")
    busy = make_cell("busy", starting_containers=3)

    placement = place_lrp([busy, calm], make_lrp(), DEFAULTS, random.Random(0))

    scores = {c.cell: c.score for c in placement.candidates}
    assert placement.winner == "calm"
    assert scores["busy"] - scores["calm"] == pytest.approx(3 * 0.25)


# --- the task score ----------------------------------------------------------------------------


def test_task_score_counts_every_task_on_the_cell_and_has_no_binpack_term() -> None:
    """ScoreForTask = utilisation + 0.25·starting + 1000·tasks on the cell; no index term (§1.7)."""
    cell = half_full_cell(starting_containers=1, task_count=2, index=5, lrp_counts={"web": 4})
    task = make_task(app="web", memory_mb=1024, disk_mb=2048)
    settings = DiegoSettings(bin_pack_first_fit_weight=0.5)

    terms = task_score_terms(cell, task, settings)

    # resource = 1.29775 / 3 (as in the LRP example); starting = 1 × 0.25;
    # locality = 1000 × 2 tasks (the 4 LRPs of the same app do not count); no 5 × 0.5.
    assert terms["resource"] == pytest.approx(1.29775 / 3)
    assert terms["starting"] == pytest.approx(0.25)
    assert terms["locality"] == pytest.approx(2000.0)
    assert sum(terms.values()) == pytest.approx(2000.25 + 1.29775 / 3)


def test_a_task_goes_to_the_cell_with_fewer_tasks_even_if_it_is_fuller() -> None:
    """1000 per task on the cell outweighs utilisation, so tasks spread by task count (§1.7)."""
    empty_with_task = make_cell("empty", task_count=1)
    full_without_tasks = make_cell("full", available_memory_mb=1024, lrp_counts={"web": 9})

    placement = place_task([empty_with_task, full_without_tasks], make_task(), DEFAULTS, random.Random(0))

    assert placement.winner == "full"


def test_tasks_pool_all_zones_without_az_balancing() -> None:
    """Tasks ignore zones: the best cell anywhere wins, and every cell is scored (§1.7)."""
    for seed in range(8):
        cells = [
            make_cell("z1-a", zone="z1", available_memory_mb=4096),
            make_cell("z1-b", zone="z1", available_memory_mb=4096),
            make_cell("z2-a", zone="z2", available_memory_mb=2048),
            make_cell("z3-a", zone="z3"),  # the emptiest
        ]
        placement = place_task(cells, make_task(), DEFAULTS, random.Random(seed))
        assert placement.winner == "z3-a"
        assert {c.verdict for c in placement.candidates} == {VERDICT_OK}


# --- locality and spreading --------------------------------------------------------------------


def test_a_cell_without_the_app_beats_a_much_emptier_cell_that_has_one() -> None:
    """Locality (1000 per co-located instance) dominates the resource term (§1.6)."""
    empty_with_app = make_cell("empty", total_memory_mb=16384, lrp_counts={"web": 1})
    busy_without_app = make_cell(
        "busy",
        total_memory_mb=16384,
        available_memory_mb=2048,
        available_disk_mb=8192,
        available_containers=10,
        lrp_counts={"other": 200},
    )
    lrp = make_lrp("web", 1, memory_mb=1024, disk_mb=1024)

    placement = place_lrp([empty_with_app, busy_without_app], lrp, DEFAULTS, random.Random(0))

    scores = {c.cell: c.score for c in placement.candidates}
    # busy:  mem 1 - 1024/16384 = 0.9375; disk 1 - 7168/65536 = 0.890625;
    #        containers 1 - 9/250 = 0.964  -> 2.792125 / 3 = 0.9307083...
    # empty: mem 1 - 15360/16384 = 0.0625; disk 1 - 64512/65536 = 0.015625;
    #        containers 1 - 249/250 = 0.004 -> 0.082125 / 3 = 0.027375, + 1000
    assert scores["busy"] == pytest.approx(2.792125 / 3)
    assert scores["empty"] == pytest.approx(1000.027375)
    assert placement.winner == "busy"


def test_without_locality_the_least_used_cell_wins() -> None:
    """The resource term is utilisation after placement, so the default policy spreads (§1.6)."""
    cells = [
        make_cell("quarter", available_memory_mb=8192),
        make_cell("empty"),
        make_cell("half", available_memory_mb=16384),
    ]
    placement = place_lrp(cells, make_lrp(), DEFAULTS, random.Random(0))
    assert placement.winner == "empty"


def test_bin_packing_weight_prefers_low_cell_indices() -> None:
    """A bin-pack weight makes index × weight outweigh small utilisation differences (§1.6)."""
    low_but_fuller = make_cell("low", index=0, available_memory_mb=16384)
    high_but_empty = make_cell("high", index=1)
    settings = DiegoSettings(bin_pack_first_fit_weight=1.0)

    placement = place_lrp([high_but_empty, low_but_fuller], make_lrp(), settings, random.Random(0))

    # low:  memory (1 - 16128/32768) = 0.5078125, disk 1 - 64512/65536 = 0.015625,
    #       containers 0.004 -> 0.5274375 / 3 = 0.1758125, + 0 × 1.0
    # high: 0.0078125 + 0.015625 + 0.004 = 0.0274375 / 3 = 0.0091458..., + 1 × 1.0
    scores = {c.cell: c.score for c in placement.candidates}
    assert scores["low"] == pytest.approx(0.5274375 / 3)
    assert scores["high"] == pytest.approx(1.0 + 0.0274375 / 3)
    assert placement.winner == "low"


# --- AZ balancing ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_the_winner_comes_from_the_zone_with_fewest_instances_even_if_another_scores_lower(
    seed: int,
) -> None:
    """AZ balancing comes before the score: only zones with the fewest instances compete (§1.6)."""
    cells = [
        make_cell("z1-has-web", zone="z1", lrp_counts={"web": 1}),
        make_cell("z1-empty", zone="z1"),  # the lowest score of all
        make_cell("z2-busy", zone="z2", available_memory_mb=2048),
    ]

    placement = place_lrp(cells, make_lrp("web", 1), DEFAULTS, random.Random(seed))

    assert placement.zone_counts == {"z1": 1, "z2": 0}
    assert placement.zones_considered == ["z2"]
    assert placement.winner == "z2-busy"
    verdict = {c.cell: c.verdict for c in placement.candidates}
    assert verdict == {
        "z1-has-web": VERDICT_ZONE_SKIPPED,
        "z1-empty": VERDICT_ZONE_SKIPPED,
        "z2-busy": VERDICT_OK,
    }


@pytest.mark.parametrize("seed", range(8))
def test_a_zone_with_more_instances_is_used_only_when_the_emptier_zones_have_no_room(
    seed: int,
) -> None:
    """If no cell in the fewest-instance zones fits, the next zones are tried (§1.6 step 3)."""
    cells = [
        make_cell("z1-has-web", zone="z1", lrp_counts={"web": 1}),
        make_cell("z1-empty", zone="z1"),
        make_cell("z2-full", zone="z2", available_memory_mb=100),
    ]

    placement = place_lrp(cells, make_lrp("web", 1), DEFAULTS, random.Random(seed))

    assert placement.zones_considered == ["z2", "z1"]
    # Within z1 the usual score applies: locality sends it to the cell without web.
    assert placement.winner == "z1-empty"
    verdict = {c.cell: c.verdict for c in placement.candidates}
    assert verdict["z2-full"] == VERDICT_RESOURCES


@pytest.mark.parametrize("seed", range(8))
def test_zones_tied_on_instances_compete_together_on_score(seed: int) -> None:
    """Zones with the same instance count are walked together; the lowest score among them wins."""
    cells = [
        make_cell("z1-a", zone="z1", available_memory_mb=8192, lrp_counts={"web": 1}),
        make_cell("z2-a", zone="z2", available_memory_mb=8192, lrp_counts={"web": 1}),
        make_cell("z2-b", zone="z2", available_memory_mb=30000),
        make_cell("z3-a", zone="z3", lrp_counts={"web": 2}),  # z3 has more: skipped
    ]

    placement = place_lrp(cells, make_lrp("web", 2), DEFAULTS, random.Random(seed))

    assert placement.zone_counts == {"z1": 1, "z2": 1, "z3": 2}
    assert sorted(placement.zones_considered) == ["z1", "z2"]
    assert placement.winner == "z2-b"
    assert {c.cell: c.verdict for c in placement.candidates}["z3-a"] == VERDICT_ZONE_SKIPPED


def test_zone_counts_include_instances_on_cells_filtered_out_for_this_work() -> None:
    """A zone's instance count covers all of its cells, counted before filtering (§1.6 steps 1–2)."""
    cells = [
        make_cell("z1-old-stack", zone="z1", stacks=("cflinuxfs3",), lrp_counts={"web": 1}),
        make_cell("z1-ok", zone="z1"),
        make_cell("z2-busy", zone="z2", available_memory_mb=2048),
    ]
    placement = place_lrp(cells, make_lrp("web", 1), DEFAULTS, random.Random(0))
    assert placement.zone_counts == {"z1": 1, "z2": 0}
    assert placement.winner == "z2-busy"


# --- reservations within a round ---------------------------------------------------------------


def test_a_placement_reserves_resources_on_the_winner_at_once() -> None:
    """ReserveLRP: memory and disk drop, one container is taken, starting and app count rise."""
    cell = make_cell("c", starting_containers=1, lrp_counts={"web": 1})

    place_lrp([cell], make_lrp("other", 0, memory_mb=512, disk_mb=2048), DEFAULTS, random.Random(0))

    assert cell.available_memory_mb == 32768 - 512
    assert cell.available_disk_mb == 65536 - 2048
    assert cell.available_containers == 249
    assert cell.starting_containers == 2
    assert cell.lrp_counts == {"web": 1, "other": 1}
    assert cell.task_count == 0


def test_a_task_placement_reserves_and_counts_one_more_task() -> None:
    """ReserveTask: resources drop, starting rises and the cell holds one more task."""
    cell = make_cell("c", task_count=2)

    place_task([cell], make_task(memory_mb=512, disk_mb=2048), DEFAULTS, random.Random(0))

    assert (cell.available_memory_mb, cell.available_disk_mb, cell.available_containers) == (
        32768 - 512,
        65536 - 2048,
        249,
    )
    assert cell.starting_containers == 1
    assert cell.task_count == 3
    assert cell.lrp_counts == {}


@pytest.mark.parametrize("seed", range(10))
def test_a_three_instance_app_on_three_equal_cells_gets_one_instance_per_cell(seed: int) -> None:
    """Later placements see earlier reservations, so locality spreads the instances (§1.3 item 4)."""
    cells = [make_cell(f"cell-{i}") for i in range(3)]
    lrps = [make_lrp("web", i) for i in range(3)]

    placements = schedule_round(cells, lrps, [], DEFAULTS, random.Random(seed))

    assert sorted(p.winner or "" for p in placements) == ["cell-0", "cell-1", "cell-2"]
    assert all(c.lrp_counts == {"web": 1} for c in cells)


@pytest.mark.parametrize("seed", range(10))
def test_instances_spread_over_zones_before_filling_a_bigger_zone(seed: int) -> None:
    """Zone counts include this round's reservations, so two instances go to two zones."""
    cells = [make_cell("z1-a", zone="z1"), make_cell("z1-b", zone="z1"), make_cell("z2-a", zone="z2")]

    placements = schedule_round(
        cells, [make_lrp("web", 0), make_lrp("web", 1)], [], DEFAULTS, random.Random(seed)
    )

    zones = sorted(next(c.zone for c in cells if c.name == p.winner) for p in placements)
    assert zones == ["z1", "z2"]


# --- random tie-break --------------------------------------------------------------------------


def place_on_identical_cells(seed: int, task: bool = False) -> tuple[str | None, int]:
    cells = [make_cell(f"cell-{i}", zone=f"z{i % 2}") for i in range(4)]
    if task:
        placement = place_task(cells, make_task(), DEFAULTS, random.Random(seed))
    else:
        placement = place_lrp(cells, make_lrp(), DEFAULTS, random.Random(seed))
    return placement.winner, placement.tied


@pytest.mark.parametrize("task", [False, True], ids=["lrp", "task"])
def test_ties_are_broken_at_random_but_the_seed_fixes_the_winner(task: bool) -> None:
    """Equal scores resolve effectively at random in Diego; the simulator draws from the seed (§1.6)."""
    winners = Counter()
    for seed in range(40):
        winner, tied = place_on_identical_cells(seed, task)
        assert (winner, tied) == place_on_identical_cells(seed, task)
        assert tied == 4
        winners[winner] += 1

    assert len(winners) > 1


def test_tied_is_one_when_a_single_cell_has_the_best_score() -> None:
    """``tied`` counts the cells sharing the winning score, so a clear winner reports 1."""
    cells = [
        make_cell("fuller-a", available_memory_mb=1024),
        make_cell("fuller-b", available_memory_mb=1024),
        make_cell("empty"),
    ]
    placement = place_lrp(cells, make_lrp(), DEFAULTS, random.Random(0))
    assert placement.winner == "empty"
    assert placement.tied == 1


# --- in-flight start limit ---------------------------------------------------------------------


def test_the_in_flight_limit_fails_work_once_reached() -> None:
    """With starting_container_count_maximum set, work beyond it fails with the limit error (§1.8)."""
    cells = [make_cell("a", starting_containers=1), make_cell("b", starting_containers=1)]
    settings = DiegoSettings(starting_container_count_maximum=3)

    placements = schedule_round(
        cells, [make_lrp("web", 0), make_lrp("web", 1)], [make_task("t")], settings, random.Random(0)
    )

    # In flight at the start: 1 + 1 = 2 < 3, so web/0 is placed (3 in flight); then the limit.
    assert [p.work.key for p in placements] == ["web/0", "task:t", "web/1"]
    assert placements[0].winner is not None
    for throttled in placements[1:]:
        assert throttled.winner is None
        assert throttled.error == "waiting to start instance: reached in-flight start limit"
    assert sum(c.starting_containers for c in cells) == 3


def test_the_in_flight_limit_is_off_by_default() -> None:
    """The default maximum 0 means no limit, however many containers are starting (§1.8, §1.11)."""
    cells = [make_cell("a", starting_containers=500)]
    placements = schedule_round(
        cells, [make_lrp("web", i) for i in range(3)], [make_task("t")], DEFAULTS, random.Random(0)
    )
    assert all(p.winner == "a" for p in placements)


# --- explanations ------------------------------------------------------------------------------


def test_every_cell_gets_a_verdict_and_a_reason() -> None:
    """A placement's candidates explain every cell: filtered, too full, skipped zone or scored."""
    cells = [
        make_cell("z1-wrong-stack", zone="z1", stacks=("cflinuxfs3",)),
        make_cell("z1-isolated", zone="z1", placement_tags=("iso",)),
        make_cell("z1-full", zone="z1", available_memory_mb=0),
        make_cell("z1-fits", zone="z1"),
        make_cell("z2-has-web", zone="z2", lrp_counts={"web": 1}),
    ]

    placement = place_lrp(cells, make_lrp("web", 1), DEFAULTS, random.Random(0))

    assert placement.winner == "z1-fits"
    by_cell = {c.cell: c for c in placement.candidates}
    # In the cells' own order, one entry each.
    assert [c.cell for c in placement.candidates] == [c.name for c in cells]
    assert by_cell["z1-wrong-stack"].verdict == VERDICT_ROOTFS
    assert by_cell["z1-wrong-stack"].reason == "found no compatible cell for required rootfs"
    assert by_cell["z1-isolated"].verdict == VERDICT_TAGS
    assert by_cell["z1-isolated"].reason == "found no compatible cell with no placement tags"
    assert by_cell["z1-full"].verdict == VERDICT_RESOURCES
    assert by_cell["z1-full"].reason == "insufficient resources: memory"
    assert by_cell["z1-fits"].verdict == VERDICT_OK
    assert by_cell["z1-fits"].score is not None
    assert set(by_cell["z1-fits"].terms) >= {"resource", "starting", "locality"}
    assert by_cell["z2-has-web"].verdict == VERDICT_ZONE_SKIPPED
    assert "z2" in by_cell["z2-has-web"].reason
    for candidate in placement.candidates:
        assert candidate.zone == ("z2" if candidate.cell.startswith("z2") else "z1")
        if candidate.verdict != VERDICT_OK:
            assert candidate.reason
            assert candidate.score is None


def test_a_failed_placement_still_explains_every_cell() -> None:
    """Even when nothing fits, each cell says why it was not chosen."""
    cells = [
        make_cell("wrong-stack", stacks=("cflinuxfs3",)),
        make_cell("full", zone="z2", available_containers=0),
    ]
    placement = place_task(cells, make_task(), DEFAULTS, random.Random(0))

    assert placement.winner is None
    assert placement.error == "insufficient resources: containers"
    assert [(c.cell, c.verdict) for c in placement.candidates] == [
        ("wrong-stack", VERDICT_ROOTFS),
        ("full", VERDICT_RESOURCES),
    ]
    assert placement.candidates[1].reason == "insufficient resources: containers"
