"""The BBS: DesiredLRP, ActualLRP and Task records, their transitions, and convergence.

Every write goes to the BBS database (drawn as a message to ``bbs-db``). Start requests go to
the auctioneer; ActualLRP changes to and from RUNNING go to the route-emitter as events.
Convergence is :mod:`simulator.diego.convergence`; evacuation, :mod:`simulator.diego.evacuation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.diego.constants import TASK_MAX_RETRIES
from simulator.diego.restart import next_crash_count, restart_delay, restarts_immediately
from simulator.diego.state import (
    CLAIMED,
    CRASHED,
    DELETED,
    LRP_RUNNING,
    PENDING,
    REMOVED,
    RESOLVING,
    TASK_COMPLETED,
    TASK_RUNNING,
    UNCLAIMED,
    ActualLRP,
    DesiredLRP,
    Task,
)
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


def _indices(indices: list[int]) -> str:
    return "[" + ", ".join(str(i) for i in indices) + "]"


class BBS:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform
        self.convergence_passes = 0

    def register(self, engine: Engine) -> None:
        for name in (
            "desire_task",
            "start_task",
            "complete_task",
            "task_resolved",
            "reject_task",
            "desire_lrp",
            "update_desired",
            "remove_desired",
            "claim",
            "start_actual",
            "crash_actual",
            "fail_actual",
            "remove_actual",
            "cells_requested",
        ):
            engine.register(f"bbs.{name}", getattr(self, name))

    def db(self, statement: str, **entities: object) -> float:
        """A write to the BBS database; returns how long the BBS takes to answer."""
        self.p.note("bbs", "bbs-db", statement, **entities)
        return self.p.duration(self.p.timing.db_latency_s) * 2 + self.p.latency()

    # -- tasks --------------------------------------------------------------------------------

    def desire_task(self, task: Task) -> None:
        task.since = self.p.now
        self.p.tasks[task.guid] = task
        self.db(f"INSERT task {task.guid} (PENDING)", task=task.guid, app=task.app)
        self.p.emit_task(task)
        self.p.send(
            "bbs",
            "auctioneer",
            f"RequestTaskAuctions [{task.guid}]",
            "auctioneer.add_tasks",
            [task.guid],
            task=task.guid,
            app=task.app,
        )

    def start_task(self, guid: str, cell: str, container: str) -> None:
        task = self.p.tasks.get(guid)
        ok = task is not None and task.state == PENDING
        if ok and task is not None:
            task.state = TASK_RUNNING
            task.cell = cell
            task.since = self.p.now
            task.detail = "running on " + cell
            self.p.emit_task(task)
            self.db(f"UPDATE task {guid} RUNNING on {cell}", task=guid)
        self.p.send(
            "bbs",
            f"rep@{cell}",
            "200 task started" if ok else "409 task cannot be started",
            "rep.task_started" if ok else "rep.discard",
            cell,
            container,
            task=guid,
        )

    def complete_task(self, guid: str, cell: str, container: str, failed: bool, reason: str) -> None:
        task = self.p.tasks.get(guid)
        if task is None:
            return
        task.state = TASK_COMPLETED
        task.failed = failed
        task.failure_reason = reason
        task.detail = "completed" + (f": {reason}" if failed else "")
        self.p.emit_task(task)
        self.db(f"UPDATE task {guid} COMPLETED", task=guid)
        self.p.send("bbs", f"rep@{cell}", "200 task completed", "rep.task_completed_ack", cell, container)
        self._resolve(task)

    def _resolve(self, task: Task) -> None:
        task.state = RESOLVING
        task.detail = "calling back Cloud Controller"
        self.p.emit_task(task)
        self.p.send(
            "bbs",
            "cc",
            f"POST /internal/v3/staging/{task.guid}/build_completed?start=true"
            + (" (failed)" if task.failed else ""),
            "cc.build_completed",
            task.app,
            task.failed,
            task.failure_reason,
            app=task.app,
            task=task.guid,
        )
        # Cloud Controller answers the callback; the BBS then deletes the task.
        self.p.engine.schedule(
            self.p.duration(self.p.timing.api_latency_s) + 2 * self.p.latency(),
            "bbs.task_resolved",
            task.guid,
        )

    def task_resolved(self, guid: str) -> None:
        task = self.p.tasks.get(guid)
        if task is None:
            return
        task.state = DELETED
        task.detail = "deleted"
        self.db(f"DELETE task {guid}", task=guid)
        self.p.emit_task(task)

    def fail_task(self, guid: str, reason: str) -> None:
        """Convergence fails a task whose cell vanished (§4.4); Cloud Controller is told."""
        task = self.p.tasks.get(guid)
        if task is None:
            return
        task.state = TASK_COMPLETED
        task.failed = True
        task.failure_reason = reason
        task.detail = f"failed: {reason}"
        self.db(f"UPDATE task {guid} COMPLETED (failed: {reason})", task=guid)
        self.p.emit_task(task)
        self._resolve(task)

    def reject_task(self, guid: str, error: str) -> None:
        """RejectTask: back to PENDING, or failed once it was rejected too often (§1.10)."""
        task = self.p.tasks.get(guid)
        if task is None or task.state not in (PENDING, TASK_RUNNING):
            return
        if task.rejection_count >= TASK_MAX_RETRIES:
            task.state = TASK_COMPLETED
            task.failed = True
            task.failure_reason = error
            task.detail = f"failed: {error}"
            self.db(f"UPDATE task {guid} COMPLETED (failed)", task=guid)
            self.p.emit_task(task)
            self.p.app_log(task.app, "STG/0", "bbs", f"Staging error: {error}")
            self._resolve(task)
            return
        task.rejection_count += 1
        task.state = PENDING
        task.cell = None
        task.detail = f"rejected ({task.rejection_count}): {error}"
        self.db(f"UPDATE task {guid} PENDING (rejected {task.rejection_count}×)", task=guid)
        self.p.emit_task(task)

    # -- LRPs ---------------------------------------------------------------------------------

    def desire_lrp(self, desired: DesiredLRP) -> None:
        self.p.desired[desired.app] = desired
        created = self.create_unclaimed(desired.app, range(desired.instances))
        self.db(
            f"INSERT desired_lrp {desired.app} + {len(created)} UNCLAIMED actual_lrps",
            app=desired.app,
        )
        self.request_auctions(desired.app, created)

    def create_unclaimed(self, app: str, indices: range | list[int]) -> list[int]:
        created = []
        for index in indices:
            lrp = ActualLRP(app=app, index=index, since=self.p.now)
            self.p.actual[lrp.key] = lrp
            self.p.emit_instance(lrp)
            created.append(index)
        return created

    def request_auctions(self, app: str, indices: list[int]) -> None:
        if not indices:
            return
        self.p.send(
            "bbs",
            "auctioneer",
            f"RequestLRPAuctions {app} {_indices(indices)}",
            "auctioneer.add_lrps",
            app,
            indices,
            app=app,
            instances=[f"{app}/{i}" for i in indices],
        )

    def update_desired(self, app: str, instances: int) -> None:
        desired = self.p.desired.get(app)
        if desired is None:
            return
        old = desired.instances
        desired.instances = instances
        self.db(f"UPDATE desired_lrp {app} instances {old} → {instances}", app=app)
        if instances > old:
            missing = [i for i in range(old, instances) if f"{app}/{i}" not in self.p.actual]
            self.request_auctions(app, self.create_unclaimed(app, missing))
        else:
            self._stop_instances_from(app, instances)

    def remove_desired(self, app: str) -> None:
        if self.p.desired.pop(app, None) is None:
            return
        self.db(f"DELETE desired_lrp {app}", app=app)
        self._stop_instances_from(app, 0)

    def _stop_instances_from(self, app: str, first: int) -> None:
        """stopInstancesFrom: delete idle records now, ask reps to stop the rest (§3.2)."""
        for lrp in sorted(self.p.actual.values(), key=lambda a: a.index):
            if lrp.app != app or lrp.index < first:
                continue
            if lrp.state in (UNCLAIMED, CRASHED) or lrp.cell is None:
                self._delete(lrp)
            else:
                self.p.send(
                    "bbs",
                    f"rep@{lrp.cell}",
                    f"StopLRPInstance {lrp.key}",
                    "rep.stop_instance",
                    lrp.cell,
                    lrp.instance_guid,
                    instance=lrp.key,
                    app=app,
                )

    def _delete(self, lrp: ActualLRP) -> None:
        was_running = lrp.state == LRP_RUNNING
        del self.p.actual[lrp.key]
        lrp.state = REMOVED
        lrp.detail = "removed"
        self.db(f"DELETE actual_lrp {lrp.key}", instance=lrp.key)
        self.p.emit_instance(lrp)
        if was_running and lrp.instance_guid is not None:
            self.unroute(lrp, f"ActualLRPRemoved {lrp.key}")
        self.p.cc.instance_running_changed(lrp.app)

    def delete_extra_record(self, lrp: ActualLRP, presence: str) -> None:
        """An evacuating or suspect record goes: its route is withdrawn."""
        lrp.state = REMOVED
        lrp.detail = "removed"
        self.db(f"DELETE actual_lrp {lrp.key} ({presence})", instance=lrp.key)
        self.p.emit_instance(lrp, presence)
        if lrp.instance_guid is not None:
            self.unroute(lrp, f"ActualLRPRemoved {lrp.key} ({presence})")

    def unroute(self, lrp: ActualLRP, label: str, guid: str | None = None) -> None:
        """Tell the route-emitter an instance no longer runs (it unregisters its route)."""
        self.p.send(
            "bbs",
            "route-emitter",
            label,
            "route_emitter.lrp_stopped",
            guid or lrp.instance_guid,
            instance=lrp.key,
            app=lrp.app,
        )

    def claim(self, key: str, cell: str, guid: str) -> None:
        lrp = self.p.actual.get(key)
        ok = lrp is not None and lrp.state == UNCLAIMED
        if ok and lrp is not None:
            lrp.state = CLAIMED
            lrp.cell = cell
            lrp.instance_guid = guid
            lrp.placement_error = None
            lrp.since = self.p.now
            lrp.detail = "reserved"
            self.db(f"UPDATE actual_lrp {key} CLAIMED by {cell}", instance=key)
            self.p.emit_instance(lrp)
        self.p.send(
            "bbs",
            f"rep@{cell}",
            "200 claimed" if ok else "ActualLRPCannotBeClaimed",
            "rep.claimed" if ok else "rep.discard",
            cell,
            guid,
            instance=key,
        )

    def start_actual(self, key: str, cell: str, guid: str, address: str) -> None:
        lrp = self.p.actual.get(key)
        if lrp is None or lrp.instance_guid != guid:
            self.p.send("bbs", f"rep@{cell}", "ActualLRPCannotBeStarted", "rep.discard", cell, guid)
            return
        lrp.state = LRP_RUNNING
        lrp.address = address
        lrp.since = self.p.now
        lrp.detail = "running"
        self.db(f"UPDATE actual_lrp {key} RUNNING at {address}", instance=key)
        self.p.emit_instance(lrp)
        # StartActualLRP also deletes the index's evacuating or suspect record (§2.3 step 5).
        for presence, records in (("evacuating", self.p.evacuating), ("suspect", self.p.suspects)):
            replaced = records.pop(key, None)
            if replaced is not None:
                self.delete_extra_record(replaced, presence)
        self.p.send(
            "bbs",
            "route-emitter",
            f"ActualLRPChanged {key} → RUNNING",
            "route_emitter.lrp_running",
            key,
            instance=key,
            app=lrp.app,
        )
        self.p.cc.instance_running_changed(lrp.app)

    def crash_actual(self, key: str, guid: str, reason: str) -> None:
        """CrashActualLRP with the restart calculator (§3.3)."""
        lrp = self.p.actual.get(key)
        if lrp is None or lrp.instance_guid != guid:
            return
        was_running = lrp.state == LRP_RUNNING
        lrp.crash_count = next_crash_count(lrp.crash_count, was_running, self.p.now - lrp.since)
        old_guid = lrp.instance_guid
        lrp.instance_guid = None
        lrp.cell = None
        lrp.address = None
        lrp.since = self.p.now
        if restarts_immediately(lrp.crash_count):
            lrp.state = UNCLAIMED
            lrp.detail = f"crashed ({reason}); restarting at once"
        else:
            lrp.state = CRASHED
            delay = restart_delay(lrp.crash_count)
            lrp.detail = (
                f"crashed ({reason}); never restarted again"
                if delay is None
                else f"crashed ({reason}); restart after {delay:g} s"
            )
        self.db(f"UPDATE actual_lrp {key} {lrp.state} (crash {lrp.crash_count})", instance=key)
        self.p.emit_instance(lrp)
        if was_running:
            self.unroute(lrp, f"ActualLRPChanged {key} → {lrp.state}", old_guid)
        self.p.cc.instance_running_changed(lrp.app)
        if lrp.state == UNCLAIMED:
            self.request_auctions(lrp.app, [lrp.index])

    def fail_actual(self, key: str, error: str) -> None:
        """FailActualLRP: the placement error is kept; convergence retries later (§1.10)."""
        lrp = self.p.actual.get(key)
        if lrp is None or lrp.state != UNCLAIMED:
            return
        lrp.placement_error = error
        lrp.since = self.p.now
        lrp.detail = "placement failed; convergence retries in 30–60 s"
        self.db(f"UPDATE actual_lrp {key} placement_error", instance=key)
        self.p.emit_instance(lrp)

    def remove_actual(self, key: str, guid: str) -> None:
        lrp = self.p.actual.get(key)
        if lrp is not None and lrp.instance_guid == guid:
            self._delete(lrp)

    def cells_requested(self) -> None:
        """The auctioneer asks for the cell list; the BBS answers from the cells' presences."""
        names = [name for name, cell in self.p.cells.items() if cell.present]
        self.p.send(
            "bbs",
            "auctioneer",
            f"200 cells ({len(names)} present)",
            "auctioneer.cells_listed",
            names,
            delay=self.p.duration(self.p.timing.api_latency_s) + self.p.latency(),
        )
