"""The per-process run registry: live simulations paced against wall time and broadcast.

Each live run owns one asyncio task while it plays. Every tick the task advances the run's
simulations (one per platform, in lockstep on one clock) by the wall time elapsed × the run's
speed, folds the new records into each platform's view, and sends one frame to the run's group.
Frames carry a sequence number; a client that misses one asks for a snapshot (the channel layer
drops messages under load).

The simulation advances on a worker thread, within a wall-time budget per tick, so a big run at
high speed never holds the event loop (every other socket of the process) for long: it falls
behind the requested speed instead. The run's ``sim_lock`` keeps every other change to its
simulations out while the thread works.

A run that is not in memory (another process started it, or the server restarted) is rebuilt
from its stored scenario, seed and live actions: the simulator is deterministic, so it is the
same run. The run moves on a :class:`~simulator.timeline.Timeline`, so it can be sought and
stepped both ways; a viewer who detaches gets a private copy (its frames go to that viewer
only) and explores it without touching the shared playhead.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from cfviz import selectors, services
from cfviz.fleet_runtime import FRAME_BUDGET_S, FRAME_INTERVAL_S, FleetLiveRun
from cfviz.pacing import ADVANCE_BUDGET_S, FIRST_SLICE_S, advance_within
from simulator.comparison import Comparison
from simulator.narration import reached
from simulator.records import Record
from simulator.scenario import Action, action_to_dict, parse_action
from simulator.scenario import Scenario as ScenarioSpec
from simulator.timeline import Timeline
from simulator.view import ViewState

log = logging.getLogger(__name__)

TICK_S = 1 / 30
# Simulations of detailed runs advance on these threads, one run at a time each (``sim_lock``).
SIM_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cfviz-sim")
# While nothing happens, the clock still moves on screen a few times a second.
CLOCK_FRAME_INTERVAL_S = 0.25
# More records than this in one tick cannot be animated one by one: clients resync instead.
MAX_RECORDS_PER_FRAME = 2000
MIN_SPEED = 0.1
# Issue 5: proportional pacing from 0.1× to 1000×.
MAX_SPEED = 1000.0
# "One event per beat" pacing, for teaching: a beat lasts this long by default (wall seconds).
DEFAULT_BEAT_S = 1.0
MIN_BEAT_S = 0.1
MAX_BEAT_S = 10.0
PACING_MODES = ("time", "beat")
# A run nobody watches, and that is not playing, is dropped from memory after this long; the
# next viewer rebuilds it from the database (at its start).
IDLE_EVICTION_S = 600.0

PAUSED = "paused"
PLAYING = "playing"
FINISHED = "finished"


def group_name(run_id: str) -> str:
    return "run." + run_id.replace("-", "")


@dataclass
class Branch:
    """A line of the run's history: the live actions taken on it, and where it left its parent."""

    id: int
    parent: int | None
    forked_at: float
    interventions: list[Action] = field(default_factory=list)
    # The furthest time this branch has been run to: acting before it forks a new branch.
    frontier: float = 0.0

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent": self.parent,
            "forked_at": self.forked_at,
            "actions": [{"t": a.at, "action": a.describe()} for a in self.interventions],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent": self.parent,
            "forked_at": self.forked_at,
            "interventions": [action_to_dict(a) for a in self.interventions],
        }


@dataclass
class LiveRun:
    run_id: str
    spec: ScenarioSpec
    seed: int
    platforms: tuple[str, ...]
    owner_id: int | None
    owner_session: str
    scenario_name: str
    branches: dict[int, Branch] = field(default_factory=lambda: {0: Branch(0, None, 0.0)})
    branch_id: int = 0
    status: str = PAUSED
    speed: float = 1.0
    pacing: str = "time"
    beat_s: float = DEFAULT_BEAT_S
    frame_seq: int = 0
    # A private copy for one detached viewer sends its frames to that viewer's channel only.
    channel: str | None = None
    timeline: Timeline = field(init=False)
    views: dict[str, ViewState] = field(init=False)
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    # Held while the simulations change: by the pace task's worker-thread advance, and by any
    # change made from the loop that does not first stop the pace task.
    sim_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # The slice of simulated time the next tick advances by first (cfviz/pacing.py).
    slice_s: float = FIRST_SLICE_S
    viewers: int = 0
    # How many of the scenario's narration steps the run has reached (they show in order).
    narrated: int = 0

    def __post_init__(self) -> None:
        self.reset()

    @property
    def sims(self) -> Comparison:
        return self.timeline.current

    @property
    def branch(self) -> Branch:
        return self.branches[self.branch_id]

    @property
    def interventions(self) -> list[Action]:
        return self.branch.interventions

    def note_progress(self) -> None:
        self.branch.frontier = max(self.branch.frontier, self.sims.now)

    def _make(self) -> Comparison:
        comparison = Comparison(self.spec, self.seed, self.platforms)
        # Live actions recorded on the run are part of it: a replay carries them out again.
        for action in self.interventions:
            comparison.intervene(action)
        comparison.run(until=0.0)
        return comparison

    def reset(self) -> None:
        self.timeline = Timeline(self._make)
        self.rebuild_views()
        self.status = PAUSED

    def rebuild_views(self) -> None:
        """The viewers' folds of every record so far (after a seek or a step back)."""
        self.views = {
            name: ViewState(self.spec, name, sim.platform.notes) for name, sim in self.sims.runs.items()
        }
        self.apply({name: list(sim.records) for name, sim in self.sims.runs.items()})
        self.narrated = reached(self.spec.narration, self.views.values())
        self.status = FINISHED if self.sims.done else PAUSED

    def narrate(self) -> bool:
        """Note the narration steps now reached; True if one of them asks the player to wait."""
        before = self.narrated
        self.narrated = reached(self.spec.narration, self.views.values(), before)
        return any(step.pause for step in self.spec.narration[before : self.narrated])

    def next_pause_at(self) -> float | None:
        """The time of the next step that waits, if it is the next to show and timed."""
        steps = self.spec.narration[self.narrated :]
        return steps[0].at if steps and steps[0].pause and steps[0].at is not None else None

    def private_copy(self, channel: str) -> LiveRun:
        """A copy at the same moment for one detached viewer; it shares the keyframes."""
        other = copy.copy(self)
        other.channel = channel
        other.task = None
        other.sim_lock = asyncio.Lock()
        other.frame_seq = 0
        other.branches = copy.deepcopy(self.branches)
        other.timeline = self.timeline.fork()
        other.rebuild_views()
        other.status = PAUSED if not other.sims.done else FINISHED
        return other

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
            "pacing": self.pacing,
            "beat_s": self.beat_s,
            "detached": self.channel is not None,
            "branch": self.branch_id,
            "branches": [b.public() for b in self.branches.values()],
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
            "narration": {"steps": [asdict(step) for step in self.spec.narration], "reached": self.narrated},
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
            "narrated": self.narrated,
        }
        if sum(len(r) for r in records.values()) > MAX_RECORDS_PER_FRAME:
            frame["records"] = {name: [] for name in self.platforms}
            frame["resync"] = True
        return frame


class RunRegistry:
    def __init__(self) -> None:
        self._runs: dict[str, LiveRun | FleetLiveRun] = {}
        self._loading = asyncio.Lock()

    async def get(self, run_id: str) -> LiveRun | FleetLiveRun | None:
        """The live run, rebuilt from the database when this process does not hold it yet."""
        if (live := self._runs.get(run_id)) is not None:
            return live
        async with self._loading:
            if (live := self._runs.get(run_id)) is not None:
                return live
            stored = await database_sync_to_async(_load_run)(run_id)
            if stored is None:
                return None
            if stored["spec"].is_fleet:
                branches = stored.pop("branches")
                stored.pop("branch_id")
                if any(b.interventions for b in branches.values()):
                    log.warning("run %s: fleet runs take no live actions; ignoring the stored ones", run_id)
                live: LiveRun | FleetLiveRun = FleetLiveRun(**stored)
            else:
                live = LiveRun(**stored)
            self._runs[run_id] = live
            return live

    async def play(self, live: LiveRun | FleetLiveRun) -> None:
        if live.status == PLAYING:
            return
        if isinstance(live, FleetLiveRun):
            await self._play_fleet(live)
            return
        if live.status == FINISHED:
            # Playing a finished run replays it from the start.
            await self._cancel(live)
            live.reset()
            await self._broadcast_resync(live)
        live.status = PLAYING
        await self._broadcast(live, live.next_frame())
        await self._save_status(live, PLAYING)
        live.task = asyncio.create_task(self._pace(live), name=f"cfviz-run-{live.run_id}")

    async def pause(self, live: LiveRun | FleetLiveRun) -> None:
        if live.status != PLAYING:
            return
        live.status = PAUSED
        await self._cancel(live)
        await self._broadcast_any(live)
        await self._save_status(live, PAUSED)

    async def set_speed(self, live: LiveRun | FleetLiveRun, speed: float) -> None:
        live.speed = speed
        await self._broadcast_any(live)

    async def _broadcast_any(self, live: LiveRun | FleetLiveRun) -> None:
        if isinstance(live, FleetLiveRun):
            await self._broadcast_fleet(live)
        else:
            await self._broadcast(live, live.next_frame())

    async def intervene(self, live: LiveRun, data: dict[str, Any]) -> Action:
        """A viewer's action on the shared run, now on every platform; it is kept for replays.

        Raises ScenarioError when the action does not fit the scenario.
        """
        async with live.sim_lock:  # the run may be advancing on its worker thread
            action = parse_action(data, live.spec, live.sims.now)
            if action.at >= live.spec.duration_s:
                raise ValueError(f"the scenario ends at {live.spec.duration_s:g} s")
            new_branch: Branch | None = None
            if live.sims.now < live.branch.frontier - 1e-9:
                # Acting on the past: a new branch from this moment; the old one is kept.
                new_branch = Branch(
                    id=max(live.branches) + 1,
                    parent=live.branch_id,
                    forked_at=live.sims.now,
                    interventions=[a for a in live.interventions if a.at <= live.sims.now],
                    frontier=live.sims.now,
                )
                live.branches[new_branch.id] = new_branch
                live.branch_id = new_branch.id
                live.timeline.forget_after(live.sims.now)
                new_branch.interventions.append(action)
                live.sims.intervene(action)
            else:
                live.sims.intervene(action)
                live.interventions.append(action)
        if live.channel is None and new_branch is not None:
            await database_sync_to_async(services.run_record_branch)(
                run_id=live.run_id, branch=new_branch.to_dict()
            )
        elif live.channel is None:
            await database_sync_to_async(services.run_record_intervention)(
                run_id=live.run_id, branch_id=live.branch_id, action=action_to_dict(action)
            )
        if live.status == FINISHED:
            # The run has something to do again: go on from where it stopped.
            live.status = PAUSED
            await self.play(live)
        else:
            await self._broadcast(live, live.next_frame())
        return action

    async def switch_branch(self, live: LiveRun, branch_id: int) -> None:
        """Show another branch of the run, at the same simulated time where it can."""
        if branch_id not in live.branches:
            raise ValueError(
                f"this run has no branch {branch_id} (branches: {', '.join(map(str, live.branches))})"
            )
        await self._cancel(live)
        t = live.sims.now
        live.branch_id = branch_id
        live.timeline = Timeline(live._make)
        live.timeline.seek(t)
        live.rebuild_views()
        if live.channel is None:
            await database_sync_to_async(services.run_set_branch)(run_id=live.run_id, branch_id=branch_id)
        await self._broadcast_resync(live)

    async def seek(self, live: LiveRun | FleetLiveRun, t: float) -> None:
        """Move the playhead to simulated time ``t``; everyone watching gets the new moment."""
        await self._cancel(live)
        if isinstance(live, FleetLiveRun):
            await self._seek_fleet(live, t)
            return
        live.timeline.seek(min(t, live.spec.duration_s))
        live.note_progress()
        live.rebuild_views()
        await self._broadcast_resync(live)

    async def step(self, live: LiveRun | FleetLiveRun, unit: str, backwards: bool) -> None:
        """One event (or up to one message) forward, animated; or back to just before one.
        A fleet run steps by a simulated second."""
        await self._cancel(live)
        if isinstance(live, FleetLiveRun):
            await self._seek_fleet(live, live.step_target(backwards))
            return
        if backwards:
            live.timeline.step_back(unit)
            live.rebuild_views()
            await self._broadcast_resync(live)
            return
        records = live.timeline.step(unit)
        live.apply(records)
        live.narrate()
        live.note_progress()
        live.status = FINISHED if live.sims.done else PAUSED
        await self._broadcast(live, live.next_frame(records))

    async def set_pacing(self, live: LiveRun, mode: str, beat_s: float | None) -> None:
        live.pacing = mode
        if beat_s is not None:
            live.beat_s = beat_s
        await self._broadcast(live, live.next_frame())

    async def restart(self, live: LiveRun | FleetLiveRun) -> None:
        await self._cancel(live)
        if isinstance(live, FleetLiveRun):
            await live.call(live.reset)
        else:
            live.reset()
        await self._broadcast_resync(live)
        await self._save_status(live, PAUSED)

    # -- fleet runs (docs/fleet.md §3) ------------------------------------------------------

    async def _play_fleet(self, live: FleetLiveRun) -> None:
        if live.status == FINISHED or live.done:
            # Playing a finished run replays it from the start; the simulation is kept.
            live.t = 0.0
            await self._broadcast_resync(live)
        live.status = PLAYING
        await self._broadcast_fleet(live)
        await self._save_status(live, PLAYING)
        live.task = asyncio.create_task(self._pace_fleet(live), name=f"cfviz-fleet-{live.run_id}")

    async def _seek_fleet(self, live: FleetLiveRun, t: float) -> None:
        target = min(max(0.0, t), live.end_time)
        await live.call(live.advance_to, target)
        live.t = min(target, live.sim.now)
        if live.status == PLAYING or (live.status == FINISHED and not live.done):
            live.status = PAUSED
        await self._broadcast_resync(live)

    async def _pace_fleet(self, live: FleetLiveRun) -> None:
        loop = asyncio.get_running_loop()
        last = due = loop.time()
        try:
            while live.status == PLAYING:
                # A frame every FRAME_INTERVAL_S, whatever the work took (but never a burst).
                due = max(due + FRAME_INTERVAL_S, loop.time())
                await asyncio.sleep(due - loop.time())
                now = loop.time()
                target = min(live.t + (now - last) * live.speed, live.end_time)
                last = now
                await live.call(live.advance_to, target, FRAME_BUDGET_S)
                # A run the simulation cannot keep up with waits for it, rather than skip.
                live.t = min(target, live.sim.now)
                if live.done:
                    live.status = FINISHED
                    # Stored before the frame that says so: a viewer who sees "finished" finds it saved.
                    summary = await live.call(live.summary)
                    await database_sync_to_async(services.run_record_finished)(
                        run_id=live.run_id, event_log="", summary=summary
                    )
                await self._broadcast_fleet(live)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("fleet run %s failed while playing", live.run_id)
            live.status = PAUSED
            await self._broadcast_fleet(live)

    async def _broadcast_fleet(self, live: FleetLiveRun) -> None:
        frames = await live.call(live.encoded_frames)
        await self._deliver(live, {"type": "sim.fleet_frames", "frames": frames})

    async def _cancel(self, live: LiveRun | FleetLiveRun) -> None:
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
                if live.pacing == "beat":
                    # One event per beat: a second of nothing happening is never waited out.
                    await asyncio.sleep(live.beat_s)
                    now = last_tick = loop.time()
                    records = live.timeline.step("event")
                else:
                    await asyncio.sleep(TICK_S)
                    now = loop.time()
                    target = live.sims.now + (now - last_tick) * live.speed
                    last_tick = now
                    # A narration step that waits stops the run exactly at its time.
                    pause_at = live.next_pause_at()
                    if pause_at is not None and pause_at >= live.sims.now:
                        target = min(target, pause_at)
                    records = await self._advance(live, target)
                live.apply(records)
                if live.narrate():
                    live.status = PAUSED
                live.note_progress()
                if live.sims.done:
                    live.status = FINISHED
                changed = any(records.values())
                if changed or live.status != PLAYING or now - last_frame >= CLOCK_FRAME_INTERVAL_S:
                    last_frame = now
                    await self._broadcast(live, live.next_frame(records))
            if live.status == PAUSED:
                await self._save_status(live, PAUSED)  # a narration step waits for the viewer
            if live.status == FINISHED and live.channel is None:
                await database_sync_to_async(services.run_record_finished)(
                    run_id=live.run_id, event_log=live.sims.dumps_log(), summary=live.sims.summary()
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("run %s failed while playing", live.run_id)
            live.status = PAUSED
            await self._broadcast(live, live.next_frame())

    async def _advance(self, live: LiveRun, target: float) -> dict[str, list[Record]]:
        """Advance the run toward ``target`` on a worker thread, within the tick's budget."""
        loop = asyncio.get_running_loop()
        async with live.sim_lock:
            future = loop.run_in_executor(
                SIM_THREADS, advance_within, live.timeline, target, ADVANCE_BUDGET_S, live.slice_s
            )
            try:
                records, live.slice_s = await asyncio.shield(future)
                return records
            except asyncio.CancelledError:
                # A thread cannot be stopped: whoever cancelled waits until it is done (about one
                # budget; longer when many events fall on one instant), so nothing else touches
                # the simulations meanwhile.
                while not future.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait([future])
                raise

    async def _broadcast(self, live: LiveRun, frame: dict[str, Any]) -> None:
        await self._deliver(live, {"type": "sim.frame", "frame": frame})

    async def _broadcast_resync(self, live: LiveRun | FleetLiveRun) -> None:
        """Tell every viewer to take a fresh snapshot (after a restart, a seek or a step back)."""
        live.frame_seq += 1
        await self._deliver(live, {"type": "sim.resync", "private": live.channel is not None})

    async def _deliver(self, live: LiveRun | FleetLiveRun, message: dict[str, Any]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        if live.channel is not None:
            await layer.send(live.channel, {**message, "private": True})
        else:
            await layer.group_send(live.group, message)

    def watch(self, live: LiveRun | FleetLiveRun) -> None:
        live.viewers += 1

    def unwatch(self, live: LiveRun | FleetLiveRun) -> None:
        """A viewer left; a shared run with none left is evicted once it has been idle a while."""
        live.viewers = max(0, live.viewers - 1)
        if live.viewers == 0 and live.channel is None:
            asyncio.get_running_loop().call_later(IDLE_EVICTION_S, self._evict_if_idle, live.run_id)

    def _evict_if_idle(self, run_id: str) -> None:
        live = self._runs.get(run_id)
        if live is not None and live.viewers == 0 and live.status != PLAYING:
            del self._runs[run_id]
            if isinstance(live, FleetLiveRun):
                live.worker.shutdown(wait=False)

    async def _save_status(self, live: LiveRun | FleetLiveRun, status: str) -> None:
        if live.channel is None:  # a private copy is nobody else's business
            await database_sync_to_async(services.run_save_status)(run_id=live.run_id, status=status)

    async def stop(self, live: LiveRun) -> None:
        """Stop a private copy's task when its viewer re-attaches or leaves."""
        await self._cancel(live)

    async def shutdown(self) -> None:
        """Stop every run's task (tests, and a process that is going away)."""
        for live in list(self._runs.values()):
            await self._cancel(live)
            if isinstance(live, FleetLiveRun):
                live.worker.shutdown(wait=False)
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
        "branches": {
            branch["id"]: Branch(
                id=branch["id"],
                parent=branch["parent"],
                forked_at=branch["forked_at"],
                interventions=[parse_action(a, spec, a["at"]) for a in branch["interventions"]],
                frontier=branch["forked_at"],
            )
            for branch in ([run.branch(0)] if not run.branches else run.branches)
        },
        "branch_id": run.current_branch,
    }


registry = RunRegistry()
