"""Fleet runs live: a :class:`~simulator.fleet.run.FleetRun` paced against wall time (docs/fleet.md).

The simulation runs in a worker thread (one per run, so calls on a run never overlap) and can run
ahead of the playhead: every array it writes is kept, so the playhead reads any moment it has
passed, backwards as well. The event loop only paces, encodes and sends: at most 10 binary frames a
second, one per platform, each the whole per-cell picture, so a dropped frame needs no resync.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cfviz.fleet_wire import encode_frame
from simulator.fleet import diego_explain, eirini_explain
from simulator.fleet.diego import DiegoFleet
from simulator.fleet.eirini import EiriniFleet
from simulator.fleet.platform import FleetPlatform
from simulator.fleet.run import FleetRun
from simulator.scenario import Scenario as ScenarioSpec

T = TypeVar("T")

FRAME_INTERVAL_S = 0.1
# How much simulated time one worker call may cover, so a pause or a seek waits for at most one
# short call (the 250k push simulates about 500 s per wall second).
MAX_CHUNK_S = 60.0
# While playing, the worker simulates at most this long per frame, in chunks of this much
# simulated time, so frames keep coming at their rate even when the simulation cannot keep up.
FRAME_BUDGET_S = 0.05
BUDGETED_CHUNK_S = 1.0
# A step moves the playhead this far.
STEP_S = 1.0
# Apps or nodes listed in an answer to a query, at most.
MAX_ANSWER_ROWS = 200


@dataclass
class FleetLiveRun:
    run_id: str
    spec: ScenarioSpec
    seed: int
    platforms: tuple[str, ...]
    owner_id: int | None
    owner_session: str
    scenario_name: str
    status: str = "paused"
    speed: float = 1.0
    frame_seq: int = 0
    # The playhead: the moment on screen, never past what the simulation has reached.
    t: float = 0.0
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    viewers: int = 0
    # Fleet runs have no private copies; the registry's code paths ask.
    channel: str | None = None
    sim: FleetRun = field(init=False, repr=False)
    worker: ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"cfviz-fleet-{self.run_id[:8]}")
        self.reset()

    def reset(self) -> None:
        self.sim = FleetRun(self.spec, self.platforms, self.seed)
        self.t = 0.0
        self.status = "paused"

    @property
    def group(self) -> str:
        from cfviz.runtime import group_name

        return group_name(self.run_id)

    @property
    def end_time(self) -> float:
        return self.spec.duration_s

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on this run's worker thread: the simulation is only ever touched there."""
        return await asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)

    def advance_to(self, t: float, budget_s: float | None = None) -> None:
        """(Worker thread.) Simulate far enough to show ``t``, in bounded chunks; with a wall-time
        budget, stop once it is spent (the playhead then waits for the simulation)."""
        target = min(t, self.end_time)
        started = time.perf_counter()
        chunk = MAX_CHUNK_S if budget_s is None else BUDGETED_CHUNK_S
        while self.sim.now < target:
            self.sim.advance(min(target, self.sim.now + chunk))
            if budget_s is not None and time.perf_counter() - started >= budget_s:
                return

    @property
    def done(self) -> bool:
        end = self.sim.finished_at
        return self.t >= self.end_time or (end is not None and self.t >= end)

    def snapshot(self, can_control: bool) -> dict[str, Any]:
        return {
            "type": "snapshot",
            "fleet": True,
            "seq": self.frame_seq,
            "t": round(self.t, 6),
            "status": self.status,
            "speed": self.speed,
            "end_time": self.end_time,
            "can_control": can_control,
            "platforms": list(self.platforms),
            "run": {
                "id": self.run_id,
                "scenario_name": self.scenario_name,
                "seed": self.seed,
                "platforms": list(self.platforms),
                "instances": self.spec.instance_count,
            },
            "fleet_layout": {name: p.layout.to_dict() for name, p in self.sim.platforms.items()},
        }

    def encoded_frames(self) -> list[bytes]:
        """(Worker thread.) One binary frame per platform at the playhead."""
        self.frame_seq += 1
        return [
            encode_frame(frame, seq=self.frame_seq, speed=self.speed, status=self.status)
            for frame in self.sim.frames(self.t).values()
        ]

    def answer(
        self, platform: str | None, node: str | None, app: str | None, why: int | str | None = None
    ) -> dict[str, Any]:
        """(Worker thread.) The apps on a node, or the nodes of an app, at the playhead; with
        ``why``, the decision that placed one of the app's instances (or its staging task).

        Raises ValueError naming what is unknown or not placed by the playhead.
        """
        if platform is None:
            if len(self.platforms) > 1:
                raise ValueError(f'say which "platform" ({", ".join(self.platforms)})')
            platform = self.platforms[0]
        if platform not in self.sim.platforms:
            raise ValueError(f"this run has no platform {platform!r} (it has {', '.join(self.platforms)})")
        sim = self.sim.platforms[platform]
        answer: dict[str, Any] = {"type": "fleet_answer", "platform": platform, "t": round(self.t, 6)}
        if node is not None:
            index = sim.node_index.get(node)
            if index is None:
                raise ValueError(f"no node or cell named {node!r}")
            rows = sim.trace.apps_on(index, self.t)
            answer |= {
                "node": node,
                "apps": [
                    {"app": sim.apps.name(a), "instances": n, "index": index}
                    for a, n, index in rows[:MAX_ANSWER_ROWS]
                ],
                "total_apps": len(rows),
            }
            return answer
        assert app is not None
        app_id = sim.apps.find(app)
        if app_id is None:
            raise ValueError(f"no app named {app!r}")
        if why is not None:
            return self._decision(platform, sim, app, app_id, why)
        rows = sim.trace.nodes_of(app_id, self.t)
        return answer | {
            "app": app,
            "instances": int(sim.apps.instances[app_id]),
            "nodes": [{"node": sim.layout.names[n], "instances": c} for n, c in rows[:MAX_ANSWER_ROWS]],
        }

    def _decision(
        self, platform: str, sim: FleetPlatform, app: str, app_id: int, why: int | str
    ) -> dict[str, Any]:
        """Why one of ``app``'s placements went where it did, once the playhead has passed it:
        the auction's decision on Diego, kube-scheduler's on Kubernetes."""
        if isinstance(sim, DiegoFleet):
            instance_decision, staging_decision = diego_explain.lrp_decision, diego_explain.staging_decision
        elif isinstance(sim, EiriniFleet):
            instance_decision, staging_decision = eirini_explain.pod_decision, eirini_explain.staging_decision
        else:
            raise ValueError(f"why-this-node is not available for {platform} in fleet mode")
        if why == "staging":
            if not sim.trace.staging_placed_at[app_id] <= self.t:
                raise ValueError(f"{app}'s staging task is not placed at {self.t:.1f} s (the playhead)")
            decision = staging_decision(sim, app_id)
        else:
            count = int(sim.apps.instances[app_id])
            if not isinstance(why, int) or why >= count:
                raise ValueError(f"{app} has {count} instance(s): index {why} is not one of them")
            instance = int(sim.apps.first_instance[app_id]) + why
            if not sim.trace.placed_at[instance] <= self.t:
                raise ValueError(f"{app}/{why} is not placed at {self.t:.1f} s (the playhead)")
            decision = instance_decision(sim, instance)
        return {"type": "fleet_decision", "platform": platform, "t": round(self.t, 6), "decision": decision}

    def summary(self) -> dict[str, Any]:
        """(Worker thread.) What a finished run keeps in the database, per platform."""
        out: dict[str, Any] = {}
        for name, platform in self.sim.platforms.items():
            header = platform.frame(self.sim.now).header()
            out[name] = {
                "fleet": True,
                "all_running_at": platform.finished_at,
                "totals": header["totals"],
                "balance": header["balance"],
                "placement_failures": platform.trace.placement_failures,
            }
        return out

    def step_target(self, backwards: bool) -> float:
        return max(0.0, self.t - STEP_S) if backwards else min(self.end_time, self.t + STEP_S)


def clamp_time(t: float, end: float) -> float:
    return min(max(0.0, t), end) if math.isfinite(t) else end
