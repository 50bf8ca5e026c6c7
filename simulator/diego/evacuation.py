"""The BBS's evacuation endpoints (diego.md §3.4, default Rolling strategy).

While a cell evacuates, its rep reports each container: a starting one has its ordinary record
unclaimed and re-auctioned; a running one gets an EVACUATING record (same instance, still
RUNNING and routed) while its ordinary record is unclaimed and re-auctioned. When the
replacement starts, the BBS deletes the evacuating record in the same request, so the route
moves with no gap; at its next poll the rep learns the old container is no longer needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.diego.state import CLAIMED, CRASHED, LRP_RUNNING, UNCLAIMED, ActualLRP
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform

KEEP = "keep"
DELETE = "delete"


class EvacuationAPI:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        engine.register("evacuation.claimed", self.claimed)
        engine.register("evacuation.running", self.running)

    def claimed(self, key: str, cell: str, guid: str) -> None:
        """EvacuateClaimedActualLRP: the instance had not started: unclaim and re-auction it."""
        lrp = self.p.actual.get(key)
        if lrp is not None and lrp.instance_guid == guid:
            self._unclaim_and_auction(lrp, f"re-placing: cell {cell} is evacuating")
        self.p.send(
            "bbs",
            f"rep@{cell}",
            "200 evacuated (delete container)",
            "rep.evacuation_reply",
            cell,
            guid,
            DELETE,
        )

    def running(self, key: str, cell: str, guid: str) -> None:
        """EvacuateRunningActualLRP: keep the old instance routed until its replacement runs."""
        lrp = self.p.actual.get(key)
        evacuating = self.p.evacuating.get(key)
        answer = DELETE
        if lrp is not None and lrp.instance_guid == guid and lrp.state in (LRP_RUNNING, CLAIMED):
            # The evacuation dance: an evacuating copy keeps the instance; the ordinary is re-placed.
            copy = ActualLRP(
                app=lrp.app,
                index=lrp.index,
                state=LRP_RUNNING,
                since=lrp.since,
                instance_guid=lrp.instance_guid,
                cell=lrp.cell,
                address=lrp.address,
                crash_count=lrp.crash_count,
                detail="evacuating: routed until its replacement runs",
            )
            self.p.evacuating[key] = copy
            self.p.bbs.db(f"INSERT actual_lrp {key} (evacuating)", instance=key)
            self.p.emit_instance(copy, "evacuating")
            self.p.app_log(
                lrp.app,
                f"CELL/{lrp.index}",
                f"rep@{cell}",
                f"Cell {cell} requesting replacement for instance {guid}",
            )
            self._unclaim_and_auction(lrp, "replacing an evacuating instance")
            answer = KEEP
        elif evacuating is not None and evacuating.instance_guid == guid:
            replacement_done = (
                lrp is None or lrp.state in (LRP_RUNNING, CRASHED) or lrp.app not in self.p.desired
            )
            if replacement_done:
                del self.p.evacuating[key]
                self.p.bbs.delete_extra_record(evacuating, "evacuating")
            else:
                answer = KEEP
        label = "200 keep container" if answer == KEEP else "200 delete container"
        self.p.send("bbs", f"rep@{cell}", label, "rep.evacuation_reply", cell, guid, answer, instance=key)

    def _unclaim_and_auction(self, lrp: ActualLRP, detail: str) -> None:
        lrp.state = UNCLAIMED
        lrp.instance_guid = None
        lrp.cell = None
        lrp.address = None
        lrp.since = self.p.now
        lrp.detail = detail
        self.p.bbs.db(f"UPDATE actual_lrp {lrp.key} UNCLAIMED (evacuation)", instance=lrp.key)
        self.p.emit_instance(lrp)
        self.p.cc.instance_running_changed(lrp.app)
        self.p.bbs.request_auctions(lrp.app, [lrp.index])
