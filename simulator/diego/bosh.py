"""The BOSH director: drains cells one (or max-in-flight) at a time and restarts them (talk.md §6).

Draining a cell runs the rep's drain script, which starts its evacuation; once the rep reports
the cell empty (or its 600 s evacuation timeout passes), BOSH stops the cell's jobs and starts
them again, with the new rootfs during a rollout. The restarted cell registers its presence and
takes work again, and BOSH moves on to the next cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


class BoshDirector:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform
        # Cells BOSH still has to update in this deployment, and those it is updating now.
        self.queue: list[str] = []
        self.updating: list[str] = []
        self.max_in_flight = 1
        self.version = ""
        self.total = 0

    def register(self, engine: Engine) -> None:
        for name in ("drained", "restarted"):
            engine.register(f"bosh.{name}", getattr(self, name))

    def busy(self) -> bool:
        return bool(self.queue or self.updating)

    def drain(self, cell: str) -> None:
        """An operator drains one cell (``bosh restart``): evacuate, restart, rejoin."""
        if cell in self.updating or not self.p.cells[cell].alive:
            return
        self.updating.append(cell)
        self._start(cell)

    def rollout(self, version: str, max_in_flight: int) -> None:
        """A new cflinuxfs release: every cell, max_in_flight at a time, each by evacuation."""
        self.version = version
        self.max_in_flight = max_in_flight
        self.queue = [name for name, cell in self.p.cells.items() if cell.alive and name not in self.updating]
        self.total = len(self.queue)
        self._next()

    def _next(self) -> None:
        while self.queue and len(self.updating) < self.max_in_flight:
            cell = self.queue.pop(0)
            self.updating.append(cell)
            self._start(cell)
        self._status()

    def _start(self, cell: str) -> None:
        self._status()
        self.p.send(
            "bosh",
            f"rep@{cell}",
            "run drain script (POST /evacuate)",
            "rep.evacuate",
            cell,
            cell=cell,
        )

    def drained(self, cell: str) -> None:
        """The rep's drain script returned: stop the cell's jobs and start them again."""
        state = self.p.cells[cell]
        state.present = False
        state.evacuating = False
        self.p.emit_cell(state)
        self.p.note("bosh", f"rep@{cell}", "monit stop all; update jobs; monit start all", cell=cell)
        self.p.engine.schedule(self.p.duration(self.p.timing.cell_restart_s), "bosh.restarted", cell)

    def restarted(self, cell: str) -> None:
        state = self.p.cells[cell]
        if cell in self.updating:
            self.updating.remove(cell)
        if self.version and cell not in self.queue:
            state.rootfs_version = self.version
        if state.alive:
            state.present = True
            self.p.note(f"rep@{cell}", "bbs", "cell presence registered (Locket)", cell=cell)
            self.p.emit_cell(state)
        self._next()
        if not self.busy():
            self.version = ""
            self.total = 0
            self._status()

    def _status(self) -> None:
        if not self.busy():
            self.p.set_status("bosh", "idle")
        elif self.total:
            done = self.total - len(self.queue) - len(self.updating)
            self.p.set_status(
                "bosh",
                f"rolling {self.version}: {done}/{self.total} cells done, updating {', '.join(self.updating)}",
            )
        else:
            self.p.set_status("bosh", f"draining {', '.join(self.updating)}")
