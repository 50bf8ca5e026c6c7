"""The per-process run registry: live simulations paced against wall time and broadcast.

Each live run owns one asyncio task while it plays. Every tick the task advances the run's
simulations (one per platform, in lockstep on one clock) by the wall time elapsed × the run's
speed, folds the new records into each platform's view, and sends one frame to the run's group. Frames carry a sequence number; a client that misses one asks for
a snapshot (the channel layer drops messages under load).

A run that is not in memory (another process started it, or the server restarted) is rebuilt
from its stored scenario and seed: the simulator is deterministic, so it is the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from cfviz import selectors, services
from simulator.comparison import Comparison
from simulator.records import Record
from simulator.scenario import Action, action_to_dict, parse_action
from simulator.scenario import Scenario as ScenarioSpec
from simulator.view import ViewState

log = logging.getLogger(__name__)

TICK_S = 1 / 30
# While nothing happens, the clock still moves on screen a few times a second.
CLOCK_FRAME_INTERVAL_S = 0.25
# More records than this in one tick cannot be animated one by one: clients resync instead.
MAX_RECORDS_PER_FRAME = 2000
MIN_SPEED = 0.1
MAX_SPEED = 100.0

PAUSED = "paused"
PLAYING = "playing"
FINISHED = "finished"


def group_name(run_id: str) -> str:
    return "run." + run_id.replace("-", "")


@dataclass
class LiveRun:
    run_id: str
    spec: ScenarioSpec
    seed: int
    platforms: tuple[str, ...]
    owner_id: int | None
    owner_session: str
    scenario_name: str
    interventions: list[Action] = field(default_factory=list)
    status: str = PAUSED
    speed: float = 1.0
    frame_seq: int = 0
    sims: Comparison = field(init=False)
    views: dict[str, ViewState] = field(init=False)
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sims = Comparison(self.spec, self.seed, self.platforms)
        # Live actions recorded on the run are part of it: a replay carries them out again.
        for action in self.interventions:
            self.sims.intervene(action)
        self.views = {
            name: ViewState(self.spec, name, sim.platform.notes) for name, sim in self.sims.runs.items()
        }
        # The platforms' opening records (cell states, idle components) are part of the views.
        self.sims.run(until=0.0)
        self.apply({name: list(sim.records) for name, sim in self.sims.runs.items()})
        self.status = PAUSED

    def apply(self, records: dict[str, list[Record]]) -> None:
        for name, platform_records in records.items():
            view = self.views[name]
            view.apply_all(platform_records)
            view.t = self.sims.now

    @property
    def group(self) -> str:
        return group_name(self.run_id)

    def snapshot(self, can_control: bool) -> dict[str, Any]:
        for view in self.views.values():
            view.t = self.sims.now
        return {
            "type": "snapshot",
            "seq": self.frame_seq,
            "t": round(self.sims.now, 6),
            "status": self.status,
            "speed": self.speed,
            "end_time": self.sims.end_time,
            "can_control": can_control,
            "platforms": list(self.platforms),
            "run": {
                "id": self.run_id,
                "scenario_name": self.scenario_name,
                "seed": self.seed,
                "platforms": list(self.platforms),
            },
            "views": {name: view.to_dict() for name, view in self.views.items()},
        }

    def next_frame(self, records: dict[str, list[Record]] | None = None) -> dict[str, Any]:
        self.frame_seq += 1
        records = records or {}
        frame: dict[str, Any] = {
            "type": "frame",
            "seq": self.frame_seq,
            "t": round(self.sims.now, 6),
            "status": self.status,
            "speed": self.speed,
            "records": {name: records.get(name, []) for name in self.platforms},
        }
        if sum(len(r) for r in records.values()) > MAX_RECORDS_PER_FRAME:
            frame["records"] = {name: [] for name in self.platforms}
            frame["resync"] = True
        return frame


class RunRegistry:
    def __init__(self) -> None:
        self._runs: dict[str, LiveRun] = {}
        self._loading = asyncio.Lock()

    async def get(self, run_id: str) -> LiveRun | None:
        """The live run, rebuilt from the database when this process does not hold it yet."""
        if (live := self._runs.get(run_id)) is not None:
            return live
        async with self._loading:
            if (live := self._runs.get(run_id)) is not None:
                return live
            stored = await database_sync_to_async(_load_run)(run_id)
            if stored is None:
                return None
            live = LiveRun(**stored)
            self._runs[run_id] = live
            return live

    async def play(self, live: LiveRun) -> None:
        if live.status == PLAYING:
            return
        if live.status == FINISHED:
            # Playing a finished run replays it from the start.
            await self._cancel(live)
            live.reset()
            await self._broadcast_resync(live)
        live.status = PLAYING
        await self._broadcast(live, live.next_frame())
        await database_sync_to_async(services.run_save_status)(run_id=live.run_id, status=PLAYING)
        live.task = asyncio.create_task(self._pace(live), name=f"cfviz-run-{live.run_id}")

    async def pause(self, live: LiveRun) -> None:
        if live.status != PLAYING:
            return
        live.status = PAUSED
        await self._cancel(live)
        await self._broadcast(live, live.next_frame())
        await database_sync_to_async(services.run_save_status)(run_id=live.run_id, status=PAUSED)

    async def set_speed(self, live: LiveRun, speed: float) -> None:
        live.speed = speed
        await self._broadcast(live, live.next_frame())

    async def intervene(self, live: LiveRun, data: dict[str, Any]) -> Action:
        """A viewer's action on the shared run, now on every platform; it is kept for replays.

        Raises ScenarioError when the action does not fit the scenario.
        """
        action = parse_action(data, live.spec, live.sims.now)
        if action.at >= live.spec.duration_s:
            raise ValueError(f"the scenario ends at {live.spec.duration_s:g} s")
        live.sims.intervene(action)
        live.interventions.append(action)
        await database_sync_to_async(services.run_record_intervention)(
            run_id=live.run_id, action=action_to_dict(action)
        )
        if live.status == FINISHED:
            # The run has something to do again: go on from where it stopped.
            live.status = PAUSED
            await self.play(live)
        else:
            await self._broadcast(live, live.next_frame())
        return action

    async def restart(self, live: LiveRun) -> None:
        await self._cancel(live)
        live.reset()
        await self._broadcast_resync(live)
        await database_sync_to_async(services.run_save_status)(run_id=live.run_id, status=PAUSED)

    async def _cancel(self, live: LiveRun) -> None:
        task, live.task = live.task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _pace(self, live: LiveRun) -> None:
        loop = asyncio.get_running_loop()
        last_tick = last_frame = loop.time()
        try:
            while live.status == PLAYING:
                await asyncio.sleep(TICK_S)
                now = loop.time()
                target = live.sims.now + (now - last_tick) * live.speed
                last_tick = now
                records = live.sims.run(until=target)
                live.apply(records)
                if live.sims.done:
                    live.status = FINISHED
                changed = any(records.values())
                if changed or live.status != PLAYING or now - last_frame >= CLOCK_FRAME_INTERVAL_S:
                    last_frame = now
                    await self._broadcast(live, live.next_frame(records))
            if live.status == FINISHED:
                await database_sync_to_async(services.run_record_finished)(
                    run_id=live.run_id, event_log=live.sims.dumps_log(), summary=live.sims.summary()
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("run %s failed while playing", live.run_id)
            live.status = PAUSED
            await self._broadcast(live, live.next_frame())

    async def _broadcast(self, live: LiveRun, frame: dict[str, Any]) -> None:
        layer = get_channel_layer()
        if layer is not None:
            await layer.group_send(live.group, {"type": "sim.frame", "frame": frame})

    async def _broadcast_resync(self, live: LiveRun) -> None:
        """Tell every viewer to take a fresh snapshot (after a restart or replay)."""
        live.frame_seq += 1
        layer = get_channel_layer()
        if layer is not None:
            await layer.group_send(live.group, {"type": "sim.resync"})

    async def shutdown(self) -> None:
        """Stop every run's task (tests, and a process that is going away)."""
        for live in list(self._runs.values()):
            await self._cancel(live)
        self._runs.clear()
        self._loading = asyncio.Lock()


def _load_run(run_id: str) -> dict[str, Any] | None:
    run = selectors.run_get(run_id)
    if run is None:
        return None
    spec = run.parsed()
    return {
        "run_id": str(run.id),
        "spec": spec,
        "seed": run.seed,
        "platforms": run.platforms,
        "owner_id": run.owner_id,
        "owner_session": run.owner_session,
        "scenario_name": run.scenario_name,
        "interventions": [parse_action(a, spec, a["at"]) for a in run.interventions],
    }


registry = RunRegistry()
