"""Which cells may take a piece of work, and the placement errors when none may (diego.md §1.4–§1.6)."""

from __future__ import annotations

import random
from typing import Any, Protocol

import pytest

from simulator.diego.auction import (
    VERDICT_OK,
    VERDICT_RESOURCES,
    VERDICT_ROOTFS,
    VERDICT_TAGS,
    CellState,
    Placement,
    place_lrp,
    place_task,
    placement_tags_match,
    schedule_round,
)
from simulator.scenario import DiegoSettings
from tests.simulator.factories import make_cell, make_lrp, make_task


class Placer(Protocol):
    """Places one LRP or one task carrying ``tags`` on ``cells``."""

    def __call__(
        self, cells: list[CellState], tags: tuple[str, ...], stack: str = ..., seed: int = ...
    ) -> Placement: ...


def place_lrp_tagged(
    cells: list[CellState], tags: tuple[str, ...], stack: str = "cflinuxfs4", seed: int = 0
) -> Placement:
    return place_lrp(cells, make_lrp(placement_tags=tags, stack=stack), DiegoSettings(), random.Random(seed))


def place_task_tagged(
    cells: list[CellState], tags: tuple[str, ...], stack: str = "cflinuxfs4", seed: int = 0
) -> Placement:
    return place_task(
        cells, make_task(placement_tags=tags, stack=stack), DiegoSettings(), random.Random(seed)
    )


PLACERS = [
    pytest.param(place_lrp_tagged, id="lrp"),
    pytest.param(place_task_tagged, id="task"),
]


def verdicts(placement: Placement) -> dict[str, str]:
    return {c.cell: c.verdict for c in placement.candidates}


# --- rootfs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACERS)
def test_only_cells_carrying_the_stack_are_eligible(place: Placer) -> None:
    """A cell whose preloaded stacks lack the work's rootfs is filtered out (§1.4, first check)."""
    old = make_cell("old", stacks=("cflinuxfs3",))
    new = make_cell("new", stacks=("cflinuxfs3", "cflinuxfs4"), available_memory_mb=1024)

    # "old" is emptier and would win on score; the filter must exclude it.
    placement = place([old, new], ())

    assert placement.winner == "new"
    assert verdicts(placement) == {"old": VERDICT_ROOTFS, "new": VERDICT_OK}
    assert placement.candidates[0].reason == "found no compatible cell for required rootfs"


@pytest.mark.parametrize("place", PLACERS)
def test_no_cell_with_the_stack_gives_the_rootfs_error(place: Placer) -> None:
    """When no cell carries the rootfs the placement error is the rootfs error, word for word."""
    cells = [make_cell("a", stacks=("cflinuxfs3",)), make_cell("b", zone="z2", stacks=("windows",))]

    placement = place(cells, ())

    assert placement.winner is None
    assert placement.error == "found no compatible cell for required rootfs"


@pytest.mark.parametrize("place", PLACERS)
def test_the_rootfs_check_runs_before_the_tag_check(place: Placer) -> None:
    """A cell failing both rootfs and tags is reported as a rootfs failure (checks run in order)."""
    cell = make_cell("a", stacks=("cflinuxfs3",), placement_tags=("iso",))

    placement = place([cell], ())

    assert verdicts(placement) == {"a": VERDICT_ROOTFS}
    assert placement.error == "found no compatible cell for required rootfs"


# --- placement tags ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "optional", "wanted", "matches"),
    [
        # Work without tags: only on cells without required tags.
        ((), (), (), True),
        ((), ("gpu",), (), True),
        (("iso",), (), (), False),
        # required ⊆ wanted
        (("iso",), (), ("iso",), True),
        (("a", "b"), (), ("a",), False),
        (("a",), ("b",), ("b",), False),
        # wanted ⊆ required ∪ optional
        ((), (), ("a",), False),
        (("a",), (), ("a", "b"), False),
        ((), ("a", "b"), ("a",), True),
        (("a",), ("b",), ("a", "b"), True),
        (("a",), ("b", "c"), ("a", "c"), True),
        (("a",), ("b",), ("a", "b", "c"), False),
    ],
)
def test_placement_tags_match_when_required_within_wanted_within_offered(
    required: tuple[str, ...], optional: tuple[str, ...], wanted: tuple[str, ...], matches: bool
) -> None:
    """A cell matches when its required tags ⊆ the work's tags ⊆ its required ∪ optional tags."""
    cell = make_cell("c", placement_tags=required, optional_placement_tags=optional)
    assert placement_tags_match(cell, wanted) is matches


@pytest.mark.parametrize("place", PLACERS)
def test_tagged_work_lands_only_on_a_matching_cell(place: Placer) -> None:
    """Tag filtering decides the winner even against emptier cells that do not match."""
    plain = make_cell("plain")
    isolated = make_cell("isolated", placement_tags=("iso",), available_memory_mb=2048)

    tagged = place([plain, isolated], ("iso",))
    untagged = place([make_cell("plain"), make_cell("isolated", placement_tags=("iso",))], ())

    assert tagged.winner == "isolated"
    assert verdicts(tagged) == {"plain": VERDICT_TAGS, "isolated": VERDICT_OK}
    assert untagged.winner == "plain"
    assert verdicts(untagged)["isolated"] == VERDICT_TAGS


@pytest.mark.parametrize("place", PLACERS)
@pytest.mark.parametrize(
    ("wanted", "error"),
    [
        ((), "found no compatible cell with no placement tags"),
        (("a",), 'found no compatible cell with placement tag "a"'),
        (("a", "b"), 'found no compatible cell with placement tags "a" and "b"'),
        (("a", "b", "c"), 'found no compatible cell with placement tags "a", "b" and "c"'),
    ],
)
def test_the_placement_tag_error_names_the_work_tags_word_for_word(
    place: Placer, wanted: tuple[str, ...], error: str
) -> None:
    """The tag error lists the work's tags as auctiontypes.PlacementTagMismatchError does (§1.4)."""
    cells = [make_cell("a", placement_tags=("other",)), make_cell("b", zone="z2", placement_tags=("x",))]

    placement = place(cells, wanted)

    assert placement.winner is None
    assert placement.error == error
    assert all(c.verdict == VERDICT_TAGS and c.reason == error for c in placement.candidates)


# --- error precedence across zones -------------------------------------------------------------


@pytest.mark.parametrize("place", PLACERS)
@pytest.mark.parametrize("seed", range(8))
def test_a_tag_failure_in_one_zone_beats_a_rootfs_failure_in_another(place: Placer, seed: int) -> None:
    """Across zones the furthest error wins: placement tags over rootfs, whatever the zone order."""
    wrong_stack = make_cell("z1-cell", zone="z1", stacks=("cflinuxfs3",))
    wrong_tags = make_cell("z2-cell", zone="z2", placement_tags=("iso",))

    for cells in ([wrong_stack, wrong_tags], [wrong_tags, wrong_stack]):
        placement = place(cells, (), seed=seed)
        assert placement.error == "found no compatible cell with no placement tags"


@pytest.mark.parametrize("place", PLACERS)
def test_a_tag_failure_beats_a_rootfs_failure_within_one_zone(
    place: Placer,
) -> None:
    """Within a zone too, getting past the rootfs check makes the tag error the one reported."""
    cells = [
        make_cell("a", stacks=("cflinuxfs3",)),
        make_cell("b", placement_tags=("iso",)),
        make_cell("c", stacks=("cflinuxfs3",)),
    ]
    for seed in range(8):
        placement = place(cells, ("gpu",), seed=seed)
        assert placement.error == 'found no compatible cell with placement tag "gpu"'


# --- resource fit ------------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACERS)
def test_a_cell_with_exactly_the_requested_resources_fits(place: Placer) -> None:
    """ResourceMatch needs available >= requested for memory and disk, and one container (§1.5)."""
    # The factories' work asks for 256 MB and 1024 MB disk.
    cell = make_cell("exact", available_memory_mb=256, available_disk_mb=1024, available_containers=1)

    placement = place([cell], ())

    assert placement.winner == "exact"
    assert (cell.available_memory_mb, cell.available_disk_mb, cell.available_containers) == (0, 0, 0)


@pytest.mark.parametrize("place", PLACERS)
@pytest.mark.parametrize(
    ("cell_specs", "error"),
    [
        # Both cells lack disk and memory; only one also lacks containers: the shared part stays.
        (
            [
                {"name": "a", "available_memory_mb": 100, "available_disk_mb": 100},
                {
                    "name": "b",
                    "zone": "z2",
                    "available_memory_mb": 0,
                    "available_disk_mb": 0,
                    "available_containers": 0,
                },
            ],
            "insufficient resources: disk, memory",
        ),
        # One lacks memory, the other disk: nothing is shared, so no list at all.
        (
            [{"name": "a", "available_memory_mb": 100}, {"name": "b", "available_disk_mb": 100}],
            "insufficient resources",
        ),
        # A single full cell: every problem it has, sorted.
        (
            [
                {
                    "name": "a",
                    "available_memory_mb": 0,
                    "available_disk_mb": 0,
                    "available_containers": 0,
                }
            ],
            "insufficient resources: containers, disk, memory",
        ),
        ([{"name": "a", "available_containers": 0}], "insufficient resources: containers"),
    ],
)
def test_insufficient_resources_keeps_only_problems_shared_by_every_tried_cell(
    place: Placer, cell_specs: list[dict[str, Any]], error: str
) -> None:
    """The error names the problems common to every cell that failed the fit, sorted (§1.6)."""
    cells = [make_cell(**spec) for spec in cell_specs]

    placement = place(cells, ())

    assert placement.winner is None
    assert placement.error == error
    assert {c.verdict for c in placement.candidates} == {VERDICT_RESOURCES}


@pytest.mark.parametrize("place", PLACERS)
def test_cells_filtered_out_do_not_count_towards_the_shared_problems(
    place: Placer,
) -> None:
    """Only cells that passed the filters and failed the fit shape the resource error."""
    cells = [
        # Filtered out by rootfs; it has no memory either, but it was never tried.
        make_cell("wrong-stack", stacks=("cflinuxfs3",), available_disk_mb=0),
        make_cell("full", available_memory_mb=0),
    ]

    placement = place(cells, ())

    assert placement.error == "insufficient resources: memory"


def test_lrp_fit_counts_proxy_memory_but_task_fit_does_not() -> None:
    """LRPs need memory + the cell's proxy overhead to fit; tasks need only their memory (§1.5)."""
    lrp = make_lrp(memory_mb=1000)
    task = make_task(memory_mb=1000)

    lrp_cell = make_cell("c", available_memory_mb=1024, proxy_memory_mb=32)
    task_cell = make_cell("c", available_memory_mb=1024, proxy_memory_mb=32)

    lrp_placement = place_lrp([lrp_cell], lrp, DiegoSettings(), random.Random(0))
    task_placement = place_task([task_cell], task, DiegoSettings(), random.Random(0))

    # 1000 + 32 = 1032 > 1024 for the LRP; 1000 <= 1024 for the task.
    assert lrp_placement.error == "insufficient resources: memory"
    assert task_placement.winner == "c"


def test_a_round_without_cells_fails_every_item_with_the_communication_error() -> None:
    """With no usable cell state at all, every LRP and task fails with the same error (§1.1)."""
    placements = schedule_round(
        [], [make_lrp("web", 0), make_lrp("web", 1)], [make_task()], DiegoSettings(), random.Random(0)
    )

    assert [p.error for p in placements] == ["unable to communicate to compatible cells"] * 3
    assert all(p.winner is None for p in placements)
