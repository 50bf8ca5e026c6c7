"""BBS convergence: every 30 s, make the ActualLRPs and Tasks match what is desired (diego.md §4).

Each pass, in the real order: prune evacuating records on cells that are gone; re-auction
UNCLAIMED records older than 30 s; turn RUNNING/CLAIMED records on cells that are no longer
present into SUSPECT records and auction replacements; create missing indices; restart crashed
instances whose back-off has passed; fail tasks running on vanished cells and re-send every
PENDING task. All start requests of a pass go to the auctioneer as one batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.diego.constants import (
    CONVERGENCE_INTERVAL_S,
    EXPIRE_PENDING_TASK_S,
    STALE_UNCLAIMED_S,
)
from simulator.diego.restart import restart_delay
from simulator.diego.state import CLAIMED, CRASHED, LRP_RUNNING, PENDING, TASK_RUNNING, UNCLAIMED, ActualLRP
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


class Convergence:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform
        self.passes = 0

    def register(self, engine: Engine) -> None:
        engine.register("convergence.converge", self.converge)

    def start(self) -> None:
        self.p.engine.schedule(CONVERGENCE_INTERVAL_S, "convergence.converge")

    def converge(self) -> None:
        """One pass; the next starts 30 s after this one ends (§4.1)."""
        self.passes += 1
        bbs = self.p.bbs
        now = self.p.now
        present = {name for name, cell in self.p.cells.items() if cell.present}
        starts: dict[str, list[int]] = {}
        suspects = 0

        # Step 2: evacuating records on cells that have gone are deleted.
        for key, evacuating in list(self.p.evacuating.items()):
            if evacuating.cell not in present:
                del self.p.evacuating[key]
                bbs.delete_extra_record(evacuating, "evacuating")

        for lrp in list(self.p.actual.values()):
            if lrp.state == UNCLAIMED and now - lrp.since > STALE_UNCLAIMED_S:
                # Step 3: stale UNCLAIMED records are auctioned again.
                starts.setdefault(lrp.app, []).append(lrp.index)
            elif lrp.state in (LRP_RUNNING, CLAIMED) and lrp.cell not in present:
                # Step 4: the cell is missing: the record turns SUSPECT, a replacement is desired.
                suspects += 1
                if lrp.key in self.p.suspects:
                    # The replacement itself landed on a vanished cell: just unclaim it.
                    self._unclaim(lrp)
                else:
                    self._make_suspect(lrp)
                starts.setdefault(lrp.app, []).append(lrp.index)
            elif lrp.state == CRASHED:
                # Step 9: crashed instances whose back-off has passed start again.
                delay = restart_delay(lrp.crash_count)
                if delay is not None and now >= lrp.since + delay:
                    lrp.state = UNCLAIMED
                    lrp.since = now
                    lrp.detail = "restarting after back-off"
                    self.p.emit_instance(lrp)
                    starts.setdefault(lrp.app, []).append(lrp.index)

        # Step 5: indices with no record at all.
        for app, desired in self.p.desired.items():
            missing = [i for i in range(desired.instances) if f"{app}/{i}" not in self.p.actual]
            if missing:
                starts.setdefault(app, []).extend(bbs.create_unclaimed(app, missing))

        pending = []
        for task in list(self.p.tasks.values()):
            if task.state == TASK_RUNNING and task.cell not in present:
                bbs.fail_task(task.guid, "cell disappeared before completion")
            elif task.state == PENDING:
                if now - task.created_at > EXPIRE_PENDING_TASK_S:
                    bbs.reject_task(task.guid, "not started within time limit")
                else:
                    pending.append(task.guid)

        if starts or pending:
            bbs.db(
                f"ConvergeLRPs: {sum(len(v) for v in starts.values())} to start"
                + (f" ({suspects} suspect)" if suspects else "")
                + f", {len(pending)} pending tasks"
            )
        for app, indices in starts.items():
            bbs.request_auctions(app, sorted(indices))
        if pending:
            self.p.send(
                "bbs", "auctioneer", f"RequestTaskAuctions {pending}", "auctioneer.add_tasks", pending
            )
        duration = self.p.duration(self.p.timing.db_latency_s) * 4
        self.p.engine.schedule(duration + CONVERGENCE_INTERVAL_S, "convergence.converge")

    def _make_suspect(self, lrp: ActualLRP) -> None:
        """The record keeps its instance (and its route) as SUSPECT; a new ordinary one is UNCLAIMED."""
        suspect = ActualLRP(
            app=lrp.app,
            index=lrp.index,
            state=lrp.state,
            since=lrp.since,
            instance_guid=lrp.instance_guid,
            cell=lrp.cell,
            address=lrp.address,
            crash_count=lrp.crash_count,
            detail=f"suspect: cell {lrp.cell} is missing",
        )
        self.p.suspects[lrp.key] = suspect
        self.p.emit_instance(suspect, "suspect")
        self._unclaim(lrp)

    def _unclaim(self, lrp: ActualLRP) -> None:
        lrp.state = UNCLAIMED
        lrp.instance_guid = None
        lrp.cell = None
        lrp.address = None
        lrp.since = self.p.now
        lrp.detail = "replacing an instance on a missing cell"
        self.p.emit_instance(lrp)
        self.p.cc.instance_running_changed(lrp.app)
