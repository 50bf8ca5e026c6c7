"""The auctioneer's scheduler: order, filters, resource fit, scores and AZ balancing.

Pure functions over :class:`CellState` (what each rep reported for the round) and work items,
following ``auction/auctionrunner`` as described in diego.md §1.3–§1.8. A round is scheduled
one item at a time; every placement updates the winner's state at once, so later items see it.
Every placement returns a :class:`Placement` explaining itself: each cell's verdict, its score
terms, the winner, or the placement error.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulator.diego.constants import (
    ERROR_CELL_COMMUNICATION,
    ERROR_INFLIGHT_LIMIT,
    ERROR_ROOTFS,
    LOCALITY_OFFSET,
)
from simulator.scenario import DiegoSettings

# Filter verdicts, in the order the checks run and the precedence of their errors (§1.4):
# a placement-tag error beats a volume-driver error, which beats a rootfs error.
VERDICT_OK = "ok"
VERDICT_ROOTFS = "rootfs"
VERDICT_TAGS = "placement tags"
VERDICT_RESOURCES = "insufficient resources"
VERDICT_ZONE_SKIPPED = "zone not considered"
_FILTER_RANK = {VERDICT_ROOTFS: 1, VERDICT_TAGS: 3}


@dataclass(slots=True)
class CellState:
    """One rep's answer to the auctioneer's State request (rep.CellState, §2.1)."""

    name: str
    zone: str
    index: int
    stacks: tuple[str, ...]
    placement_tags: tuple[str, ...]
    optional_placement_tags: tuple[str, ...]
    total_memory_mb: int
    total_disk_mb: int
    total_containers: int
    available_memory_mb: int
    available_disk_mb: int
    available_containers: int
    starting_containers: int = 0
    lrp_counts: dict[str, int] = field(default_factory=dict)
    task_count: int = 0
    proxy_memory_mb: int = 0
    evacuating: bool = False


@dataclass(frozen=True, slots=True)
class LRPWork:
    app: str
    index: int
    memory_mb: int
    disk_mb: int
    stack: str
    placement_tags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.app}/{self.index}"


@dataclass(frozen=True, slots=True)
class TaskWork:
    guid: str
    app: str
    memory_mb: int
    disk_mb: int
    stack: str
    placement_tags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"task:{self.guid}"


Work = LRPWork | TaskWork


@dataclass(slots=True)
class Candidate:
    """One cell as the auctioneer saw it for one placement."""

    cell: str
    zone: str
    verdict: str
    reason: str = ""
    terms: dict[str, float] = field(default_factory=dict)
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "zone": self.zone,
            "verdict": self.verdict,
            "reason": self.reason,
            "terms": {k: round(v, 6) for k, v in self.terms.items()},
            "score": None if self.score is None else round(self.score, 6),
        }


@dataclass(slots=True)
class Placement:
    work: Work
    winner: str | None
    error: str | None
    candidates: list[Candidate]
    zone_counts: dict[str, int] = field(default_factory=dict)
    zones_considered: list[str] = field(default_factory=list)
    tied: int = 0


@dataclass(slots=True)
class _Board:
    """The running result of scoring cells for one placement: lowest score wins, strictly."""

    candidates: dict[str, Candidate] = field(default_factory=dict)
    best: CellState | None = None
    best_score: float = float("inf")
    tied: int = 0
    # The resource problems every cell that did not fit shared (removeNonApplicableProblems).
    shared_problems: set[str] | None = None

    def score(
        self, cell: CellState, zone: str, memory_mb: int, disk_mb: int, terms: dict[str, float]
    ) -> None:
        problems = resource_problems(cell, memory_mb, disk_mb)
        if problems:
            self.candidates[cell.name] = Candidate(
                cell.name, zone, VERDICT_RESOURCES, insufficient_resources_error(problems)
            )
            self.shared_problems = (
                problems if self.shared_problems is None else self.shared_problems & problems
            )
            return
        total = sum(terms.values())
        self.candidates[cell.name] = Candidate(cell.name, zone, VERDICT_OK, "", terms, total)
        if total < self.best_score:
            self.best, self.best_score, self.tied = cell, total, 1
        elif total == self.best_score:
            self.tied += 1

    def no_fit_error(self) -> str:
        return insufficient_resources_error(self.shared_problems or set())


def placement_tag_error(tags: tuple[str, ...]) -> str:
    """auctiontypes.PlacementTagMismatchError, word for word."""
    if not tags:
        return "found no compatible cell with no placement tags"
    if len(tags) == 1:
        return f'found no compatible cell with placement tag "{tags[0]}"'
    quoted = [f'"{tag}"' for tag in tags[:-1]]
    return f'found no compatible cell with placement tags {", ".join(quoted)} and "{tags[-1]}"'


def insufficient_resources_error(problems: set[str]) -> str:
    """rep.InsufficientResourcesError: the sorted problems shared by every cell that was tried."""
    if not problems:
        return "insufficient resources"
    return "insufficient resources: " + ", ".join(sorted(problems))


def rootfs_matches(cell: CellState, stack: str) -> bool:
    # ``preloaded:<stack>`` matches only the stacks the cell carries (rep/rootfs_providers.go).
    return stack in cell.stacks


def placement_tags_match(cell: CellState, tags: tuple[str, ...]) -> bool:
    """The cell's required tags ⊆ the work's tags ⊆ the cell's required ∪ optional tags (§1.4)."""
    wanted = set(tags)
    required = set(cell.placement_tags)
    return required <= wanted and wanted <= required | set(cell.optional_placement_tags)


def filter_verdict(cell: CellState, work: Work) -> str:
    """The first check the cell fails, in the auctioneer's order, or ``ok``."""
    if not rootfs_matches(cell, work.stack):
        return VERDICT_ROOTFS
    # Volume drivers come next in the real filter; cfviz scenarios declare none.
    if not placement_tags_match(cell, work.placement_tags):
        return VERDICT_TAGS
    return VERDICT_OK


def filter_error(verdict: str, work: Work) -> str:
    if verdict == VERDICT_TAGS:
        return placement_tag_error(work.placement_tags)
    return ERROR_ROOTFS


def resource_problems(cell: CellState, memory_mb: int, disk_mb: int) -> set[str]:
    """rep.ResourceMatch: the resources this cell lacks for the work (§1.5)."""
    problems: set[str] = set()
    if cell.available_disk_mb < disk_mb:
        problems.add("disk")
    if cell.available_memory_mb < memory_mb:
        problems.add("memory")
    if cell.available_containers < 1:
        problems.add("containers")
    return problems


def resource_term(cell: CellState, memory_mb: int, disk_mb: int) -> float:
    """Mean utilisation after placement: memory, disk and containers weighted equally (§1.6)."""
    memory_after = cell.available_memory_mb - memory_mb
    disk_after = cell.available_disk_mb - disk_mb
    containers_after = cell.available_containers - 1
    return (
        (1.0 - memory_after / cell.total_memory_mb)
        + (1.0 - disk_after / cell.total_disk_mb)
        + (1.0 - containers_after / cell.total_containers)
    ) / 3.0


def lrp_score_terms(cell: CellState, lrp: LRPWork, settings: DiegoSettings) -> dict[str, float]:
    """auctionrunner.Cell.ScoreForLRP, term by term (§1.6). Lower wins."""
    memory = lrp.memory_mb + cell.proxy_memory_mb
    return {
        "resource": resource_term(cell, memory, lrp.disk_mb),
        "starting": cell.starting_containers * settings.starting_container_weight,
        "locality": LOCALITY_OFFSET * cell.lrp_counts.get(lrp.app, 0),
        "binpack": cell.index * settings.bin_pack_first_fit_weight,
    }


def task_score_terms(cell: CellState, task: TaskWork, settings: DiegoSettings) -> dict[str, float]:
    """auctionrunner.Cell.ScoreForTask (§1.7): no proxy memory, no bin-pack term."""
    return {
        "resource": resource_term(cell, task.memory_mb, task.disk_mb),
        "starting": cell.starting_containers * settings.starting_container_weight,
        "locality": LOCALITY_OFFSET * cell.task_count,
    }


def reserve(cell: CellState, work: Work) -> None:
    """ReserveLRP / ReserveTask: later placements in the round see this one (§1.3 item 4).

    The reservation subtracts the raw memory, without the proxy overhead (§1.5 quirk).
    """
    cell.available_memory_mb -= work.memory_mb
    cell.available_disk_mb -= work.disk_mb
    cell.available_containers -= 1
    cell.starting_containers += 1
    if isinstance(work, LRPWork):
        cell.lrp_counts[work.app] = cell.lrp_counts.get(work.app, 0) + 1
    else:
        cell.task_count += 1


def auction_order(lrps: list[LRPWork], tasks: list[TaskWork], rng: random.Random) -> list[Work]:
    """Index-0 LRPs, then tasks, then LRPs of index ≥ 1 (§1.3).

    LRPs go by index ascending then memory descending; tasks by memory descending. Go's
    sort is not stable, so equal items come in any order: shuffle, then sort stably.
    """
    lrps = list(lrps)
    tasks = list(tasks)
    rng.shuffle(lrps)
    rng.shuffle(tasks)
    lrps.sort(key=lambda w: (w.index, -w.memory_mb))
    tasks.sort(key=lambda w: -w.memory_mb)
    first = [w for w in lrps if w.index == 0]
    rest = [w for w in lrps if w.index > 0]
    return [*first, *tasks, *rest]


def _zone_groups(cells: list[CellState], rng: random.Random) -> dict[str, list[CellState]]:
    # Zones come from a Go map and cells in the order their states arrived: both random.
    zones: dict[str, list[CellState]] = {}
    shuffled = list(cells)
    rng.shuffle(shuffled)
    for cell in shuffled:
        zones.setdefault(cell.zone, []).append(cell)
    return zones


def place_lrp(cells: list[CellState], lrp: LRPWork, settings: DiegoSettings, rng: random.Random) -> Placement:
    """scheduleLRPAuction: AZ balancing first, then the lowest score among fitting cells (§1.6)."""
    zones = _zone_groups(cells, rng)
    candidates: dict[str, Candidate] = {}
    furthest_filter = ""
    eligible_zones: list[tuple[str, list[CellState]]] = []
    zone_counts: dict[str, int] = {}
    for zone, zone_cells in zones.items():
        zone_counts[zone] = sum(c.lrp_counts.get(lrp.app, 0) for c in zone_cells)
        passing = []
        for cell in zone_cells:
            verdict = filter_verdict(cell, lrp)
            if verdict == VERDICT_OK:
                passing.append(cell)
            else:
                candidates[cell.name] = Candidate(cell.name, zone, verdict, filter_error(verdict, lrp))
                if _FILTER_RANK[verdict] > _FILTER_RANK.get(furthest_filter, 0):
                    furthest_filter = verdict
        if passing:
            eligible_zones.append((zone, passing))

    if not eligible_zones:
        return _failed(lrp, filter_error(furthest_filter, lrp), cells, candidates, zone_counts)

    # Fewest instances of this app first; the zone list was shuffled, so ties stay random.
    eligible_zones.sort(key=lambda z: zone_counts[z[0]])
    board = _Board(candidates)
    considered: list[str] = []
    for position, (zone, zone_cells) in enumerate(eligible_zones):
        considered.append(zone)
        for cell in zone_cells:
            memory = lrp.memory_mb + cell.proxy_memory_mb
            board.score(cell, zone, memory, lrp.disk_mb, lrp_score_terms(cell, lrp, settings))
        next_count = (
            zone_counts[eligible_zones[position + 1][0]] if position + 1 < len(eligible_zones) else None
        )
        if next_count == zone_counts[zone]:
            continue
        if board.best is not None:
            for later_zone, later_cells in eligible_zones[position + 1 :]:
                for cell in later_cells:
                    candidates[cell.name] = Candidate(
                        cell.name,
                        later_zone,
                        VERDICT_ZONE_SKIPPED,
                        f"zone {later_zone} already runs {zone_counts[later_zone]} "
                        f"instance(s) of {lrp.app}; zone {zone} runs {zone_counts[zone]}",
                    )
            break

    if board.best is None:
        return _failed(lrp, board.no_fit_error(), cells, candidates, zone_counts, considered)
    reserve(board.best, lrp)
    return Placement(
        lrp, board.best.name, None, _in_cell_order(cells, candidates), zone_counts, considered, board.tied
    )


def place_task(
    cells: list[CellState], task: TaskWork, settings: DiegoSettings, rng: random.Random
) -> Placement:
    """scheduleTaskAuction: all zones pooled, lowest score wins (§1.7)."""
    zones = _zone_groups(cells, rng)
    board = _Board()
    furthest_filter = ""
    any_passed = False
    for zone, zone_cells in zones.items():
        for cell in zone_cells:
            verdict = filter_verdict(cell, task)
            if verdict != VERDICT_OK:
                board.candidates[cell.name] = Candidate(cell.name, zone, verdict, filter_error(verdict, task))
                if _FILTER_RANK[verdict] > _FILTER_RANK.get(furthest_filter, 0):
                    furthest_filter = verdict
                continue
            any_passed = True
            board.score(cell, zone, task.memory_mb, task.disk_mb, task_score_terms(cell, task, settings))
    if not any_passed:
        return _failed(task, filter_error(furthest_filter, task), cells, board.candidates, {})
    if board.best is None:
        return _failed(task, board.no_fit_error(), cells, board.candidates, {})
    reserve(board.best, task)
    candidates = _in_cell_order(cells, board.candidates)
    return Placement(task, board.best.name, None, candidates, {}, sorted(zones), board.tied)


def _in_cell_order(cells: list[CellState], candidates: dict[str, Candidate]) -> list[Candidate]:
    return [candidates[c.name] for c in cells if c.name in candidates]


def _failed(
    work: Work,
    error: str,
    cells: list[CellState],
    candidates: dict[str, Candidate],
    zone_counts: dict[str, int],
    considered: list[str] | None = None,
) -> Placement:
    return Placement(work, None, error, _in_cell_order(cells, candidates), zone_counts, considered or [])


def schedule_round(
    cells: list[CellState],
    lrps: list[LRPWork],
    tasks: list[TaskWork],
    settings: DiegoSettings,
    rng: random.Random,
) -> list[Placement]:
    """Scheduler.Schedule: place every item of the round in the real order (§1.3, §1.8).

    ``cells`` are updated in place as placements are made.
    """
    return place_in_order(
        auction_order(lrps, tasks, rng),
        cells,
        settings,
        lambda work: (
            place_lrp(cells, work, settings, rng)
            if isinstance(work, LRPWork)
            else place_task(cells, work, settings, rng)
        ),
    )


def place_in_order(
    order: list[Work],
    cells: list[CellState],
    settings: DiegoSettings,
    place: Callable[[Work], Placement],
) -> list[Placement]:
    """The round's loop, shared by every implementation of a placement: the in-flight start
    limit (§1.8), no cells at all, and counting what each placement adds in flight."""
    placements: list[Placement] = []
    limit = settings.starting_container_count_maximum
    inflight = sum(c.starting_containers for c in cells)
    for work in order:
        if limit > 0 and inflight >= limit:
            placements.append(Placement(work, None, ERROR_INFLIGHT_LIMIT, []))
            continue
        if not cells:
            placements.append(Placement(work, None, ERROR_CELL_COMMUNICATION, []))
            continue
        placement = place(work)
        if placement.winner is not None:
            inflight += 1
        placements.append(placement)
    return placements
