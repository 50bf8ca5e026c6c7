"""The auctioneer: batches start requests and runs auction rounds back to back (diego.md §1.1).

A round lists the cells (BBS), fetches every rep's state in parallel, drains the batch,
schedules it with :mod:`simulator.diego.auction` (one ``decision`` record per item), sends each
winning cell its work in one Perform, and reports failures to the BBS. Work that arrives during a
round waits for the next one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.diego.auction import CellState, LRPWork, Placement, TaskWork, schedule_round
from simulator.diego.constants import CELL_STATE_TIMEOUT_S, COMMUNICATION_TIMEOUT_S
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


class Auctioneer:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform
        self.batch_lrps: dict[str, tuple[str, int]] = {}
        self.batch_tasks: dict[str, None] = {}
        self.round = 0
        self.in_round = False
        self.expected_states = 0
        self.states: list[CellState] = []
        self.pending_performs: set[str] = set()
        self.placements_total = 0
        self.scheduled = False

    def register(self, engine: Engine) -> None:
        for name in (
            "add_lrps",
            "add_tasks",
            "begin_round",
            "cells_listed",
            "state_received",
            "state_timeout",
            "perform_done",
            "perform_timeout",
        ):
            engine.register(f"auctioneer.{name}", getattr(self, name))

    # -- intake -------------------------------------------------------------------------------

    def add_lrps(self, app: str, indices: list[int]) -> None:
        for index in indices:
            self.batch_lrps[f"{app}/{index}"] = (app, index)
        self._has_work()

    def add_tasks(self, guids: list[str]) -> None:
        for guid in guids:
            self.batch_tasks[guid] = None
        self._has_work()

    def _has_work(self) -> None:
        # The one-slot HasWork channel: many requests merge into one signal (§1.1).
        if not self.in_round:
            self.in_round = True
            self.p.engine.schedule(0.0, "auctioneer.begin_round")

    # -- a round ------------------------------------------------------------------------------

    def begin_round(self) -> None:
        self.round += 1
        self.p.set_status("auctioneer", f"auction round {self.round}: fetching cells")
        self.p.send("auctioneer", "bbs", "GET /v1/cells", "bbs.cells_requested")

    def cells_listed(self, names: list[str]) -> None:
        self.states = []
        self.scheduled = False
        self.expected_states = len(names)
        if not names:
            self._schedule([])
            return
        for name in names:
            self.p.send(
                "auctioneer", f"rep@{name}", "GET /state", "rep.state_requested", name, self.round, cell=name
            )
        # A cell that does not answer within cell_state_timeout is left out of the round (§1.2).
        self.p.engine.schedule(CELL_STATE_TIMEOUT_S, "auctioneer.state_timeout", self.round)

    def state_received(self, round_no: int, state: CellState) -> None:
        if round_no != self.round or self.scheduled:
            return
        self.states.append(state)
        if len(self.states) == self.expected_states:
            self._schedule(self.states)

    def state_timeout(self, round_no: int) -> None:
        if round_no == self.round and not self.scheduled:
            self._schedule(self.states)

    def _schedule(self, states: list[CellState]) -> None:
        self.scheduled = True
        # Evacuating cells answer but take no part in the round (zone_builder.go, §1.2).
        states = [state for state in states if not state.evacuating]
        lrps: list[LRPWork] = []
        for key, (app, index) in self.batch_lrps.items():
            lrp = self.p.actual.get(key)
            desired = self.p.desired.get(app)
            # Only records still waiting for a cell take part (the BBS de-duplicates too).
            if lrp is None or desired is None or lrp.state != "UNCLAIMED":
                continue
            lrps.append(
                LRPWork(app, index, desired.memory_mb, desired.disk_mb, desired.stack, desired.placement_tags)
            )
        tasks: list[TaskWork] = []
        for guid in self.batch_tasks:
            task = self.p.tasks.get(guid)
            if task is None or task.state != "PENDING":
                continue
            tasks.append(
                TaskWork(guid, task.app, task.memory_mb, task.disk_mb, task.stack, task.placement_tags)
            )
        self.batch_lrps = {}
        self.batch_tasks = {}
        # Cells in a stable order before the scheduler shuffles: the round's randomness then
        # depends only on the run's generator, not on message arrival order.
        states = sorted(states, key=lambda s: s.index)
        if self.p.scenario.diego.bin_pack_first_fit_weight > 0:
            _renumber_within_zones(states)
        self.p.set_status(
            "auctioneer",
            f"auction round {self.round}: {len(lrps)} LRP(s), {len(tasks)} task(s)",
        )
        settings = self.p.scenario.diego
        placements = schedule_round(states, lrps, tasks, settings, self.p.engine.rng)
        work_by_cell: dict[str, tuple[list[LRPWork], list[TaskWork]]] = {}
        for placement in placements:
            self._record_decision(placement)
            if placement.winner is None:
                self._report_failure(placement.work, placement.error or "")
                continue
            self.placements_total += 1
            lrp_list, task_list = work_by_cell.setdefault(placement.winner, ([], []))
            if isinstance(placement.work, LRPWork):
                lrp_list.append(placement.work)
            else:
                task_list.append(placement.work)
        self.pending_performs = set(work_by_cell)
        for cell, (cell_lrps, cell_tasks) in work_by_cell.items():
            parts = [f"{w.app}/{w.index}" for w in cell_lrps] + [f"task {w.guid}" for w in cell_tasks]
            self.p.send(
                "auctioneer",
                f"rep@{cell}",
                f"POST /work Perform ({', '.join(parts)})",
                "rep.perform",
                cell,
                self.round,
                cell_lrps,
                cell_tasks,
                cell=cell,
                instances=[f"{w.app}/{w.index}" for w in cell_lrps],
            )
            self.p.engine.schedule(COMMUNICATION_TIMEOUT_S, "auctioneer.perform_timeout", self.round, cell)
        if not work_by_cell:
            self._end_round()

    def perform_done(
        self, round_no: int, cell: str, failed_lrps: list[LRPWork], failed_tasks: list[TaskWork]
    ) -> None:
        if round_no != self.round or cell not in self.pending_performs:
            return
        # Work the rep hands back keeps the auction's original, empty placement error (§1.10).
        for work in [*failed_lrps, *failed_tasks]:
            self._report_failure(work, "")
        self.pending_performs.discard(cell)
        if not self.pending_performs:
            self._end_round()

    def perform_timeout(self, round_no: int, cell: str) -> None:
        """No answer within communication_timeout: the work counts as placed; convergence
        recovers it if it was lost (auctionrunner/cell.go Commit, §1.9)."""
        if round_no == self.round and cell in self.pending_performs:
            self.pending_performs.discard(cell)
            if not self.pending_performs:
                self._end_round()

    def _end_round(self) -> None:
        if self.batch_lrps or self.batch_tasks:
            self.p.engine.schedule(0.0, "auctioneer.begin_round")
        else:
            self.in_round = False
            self.p.set_status("auctioneer", "idle")

    def _report_failure(self, work: LRPWork | TaskWork, error: str) -> None:
        if isinstance(work, LRPWork):
            self.p.send(
                "auctioneer",
                "bbs",
                f"FailActualLRP {work.key}: {error or 'rejected by cell'}",
                "bbs.fail_actual",
                work.key,
                error or "rejected by cell",
                instance=work.key,
                app=work.app,
            )
        else:
            self.p.send(
                "auctioneer",
                "bbs",
                f"RejectTask {work.guid}: {error or 'rejected by cell'}",
                "bbs.reject_task",
                work.guid,
                error or "rejected by cell",
                task=work.guid,
                app=work.app,
            )

    def _record_decision(self, placement: Placement) -> None:
        work = placement.work
        settings = self.p.scenario.diego
        is_lrp = isinstance(work, LRPWork)
        weights: dict[str, float] = {"starting_container_weight": settings.starting_container_weight}
        if is_lrp:
            weights["bin_pack_first_fit_weight"] = settings.bin_pack_first_fit_weight
        self.p.log.decision(
            self.p.now,
            work=work.key,
            work_type="lrp" if is_lrp else "task",
            app=work.app,
            index=work.index if isinstance(work, LRPWork) else None,
            round=self.round,
            winner=placement.winner,
            error=placement.error,
            memory_mb=work.memory_mb,
            disk_mb=work.disk_mb,
            stack=work.stack,
            placement_tags=list(work.placement_tags),
            weights=weights,
            zone_counts=placement.zone_counts,
            zones_considered=placement.zones_considered,
            tied=placement.tied,
            candidates=[c.to_dict() for c in placement.candidates],
        )


def _renumber_within_zones(states: list[CellState]) -> None:
    """normaliseCellIndices: with bin-packing on, cells are numbered 0..n-1 within a zone (§1.2)."""
    next_index: dict[str, int] = {}
    for state in states:  # already in BOSH index order
        state.index = next_index.get(state.zone, 0)
        next_index[state.zone] = state.index + 1
