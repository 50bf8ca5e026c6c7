"""What every fleet platform shares: the cf push sessions, the clock, the trace, the frames.

A platform subclass decides placements and container starts in :meth:`FleetPlatform.tick`, one
scheduling round (Diego) or queue drain (Kubernetes) at a time. The engine carries only those
ticks; per-instance times are computed with numpy and written to the trace when decided.
"""

from __future__ import annotations

import heapq
import math
from abc import ABC, abstractmethod

import numpy as np

from simulator.engine import Engine
from simulator.fleet.frames import FleetFrame, aggregate
from simulator.fleet.trace import Layout, Trace
from simulator.fleet.workload import FleetApps, fleet_apps
from simulator.scenario import Scenario

TICK = "fleet.tick"


class Draws:
    """Random draws in blocks: a round asks for a few at a time, and one numpy call per block
    instead of one per draw keeps that cheap. Its own generator, so the auction's tie-breaks do
    not depend on how many durations were drawn."""

    BLOCK = 1 << 15

    def __init__(self, rng: np.random.Generator, jitter: float) -> None:
        self.rng = rng
        self.jitter = max(0.0, jitter)
        self.factors_left: list[float] = []
        self.uniforms_left: list[float] = []

    def factor(self) -> float:
        """A factor ``1 ± jitter``, uniform."""
        left = self.factors_left
        if not left:
            if self.jitter == 0:
                return 1.0
            left[:0] = self.rng.uniform(1.0 - self.jitter, 1.0 + self.jitter, self.BLOCK).tolist()
        return left.pop()

    def take(self, size: int) -> list[float]:
        """``size`` factors ``1 ± jitter`` at once."""
        left = self.factors_left
        if len(left) < size:
            if self.jitter == 0:
                return [1.0] * size
            low, high = 1.0 - self.jitter, 1.0 + self.jitter
            left[:0] = self.rng.uniform(low, high, max(self.BLOCK, size)).tolist()
        taken = left[-size:] if size else []
        del left[len(left) - size :]
        return taken

    def uniform(self) -> float:
        """A draw from [0, 1)."""
        if not self.uniforms_left:
            self.uniforms_left = self.rng.uniform(0.0, 1.0, self.BLOCK).tolist()[::-1]
        return self.uniforms_left.pop()


class FleetPlatform(ABC):
    name = ""
    # Per-instance stamps the platform keeps besides desired/placed/running.
    stamp_names: tuple[str, ...] = ()
    # Queue name -> (stamp an instance enters it, stamp it leaves it).
    queue_stamps: dict[str, tuple[str, str]] = {}

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.engine = Engine(self.seed)
        self.rng = np.random.default_rng(self.seed)
        self.jitter = Draws(np.random.default_rng([self.seed, 1]), scenario.timing.jitter)
        self.timing = scenario.timing
        self.apps: FleetApps = fleet_apps(scenario)
        self.trace = Trace.empty(self.apps, self.stamp_names)
        self.layout = Layout(
            names=[c.name for c in scenario.cells],
            zones=[c.zone for c in scenario.cells],
            memory_mb=np.array([c.memory_mb for c in scenario.cells], dtype=np.int64),
            disk_mb=np.array([c.disk_mb for c in scenario.cells], dtype=np.int64),
            containers=np.array([c.max_containers for c in scenario.cells], dtype=np.int64),
        )
        self.node_index = {name: i for i, name in enumerate(self.layout.names)}
        # cf push sessions: (free at, session) for the idle ones; the next app of the push order.
        sessions = max(1, scenario.fleet.push_concurrency)
        self.sessions: list[tuple[float, int]] = [(0.0, s) for s in range(sessions)]
        self.next_push = 0
        self.app_session = np.full(self.apps.count, -1, dtype=np.int64)
        package = np.array([t.package_mb for t in self.apps.templates])[self.apps.template]
        self.upload_s = (package / scenario.timing.upload_bandwidth_mb_s).tolist()
        # Instances of each app not placed yet; when it reaches 0 the app's start is decided.
        self.unplaced = self.apps.instances.tolist()
        self.finished_at: float | None = None
        # Apps whose start (or staging failure) is decided; the run ends when every pushed app is.
        self.apps_done = 0
        self.tick_pending = False
        self.engine.register(TICK, self.tick)
        self._wake(0.0)

    # -- the clock ----------------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.engine.now

    def advance(self, until: float) -> None:
        """Simulate up to ``until`` (seconds); the clock ends there."""
        if until > self.engine.now:
            self.engine.run(until=until)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None and self.finished_at <= self.engine.now

    def _wake(self, at: float) -> None:
        """Schedule the next tick at ``at`` (at most one is outstanding)."""
        if not self.tick_pending and math.isfinite(at):
            self.tick_pending = True
            self.engine.schedule(max(0.0, at - self.engine.now), TICK)

    def tick(self) -> None:
        self.tick_pending = False
        self.step(self.engine.now)

    @abstractmethod
    def step(self, now: float) -> None:
        """One tick at ``now``: Diego's next auction round, or Eirini's next window."""

    # -- jittered durations -------------------------------------------------------------------

    def duration(self, mean: float) -> float:
        """``mean`` spread uniformly by ±jitter, as the detailed model's ``duration``."""
        jitter = self.jitter
        left = jitter.factors_left
        return mean * (left.pop() if left else jitter.factor())

    # -- cf push sessions ---------------------------------------------------------------------

    def admit(self, now: float) -> list[int]:
        """Sessions free by ``now`` take their next apps, whose staging requests go out after the
        session's Cloud Controller calls and the package upload; returns those apps."""
        order = self.apps.push_order
        push_at = self.apps.push_at
        taken: list[int] = []
        timing = self.timing
        calls = self.scenario.fleet.push_api_calls * (timing.api_latency_s + 2 * timing.network_latency_s)
        upload = self.upload_s
        requested = self.trace.staging_requested_at
        while self.sessions and self.next_push < len(order) and self.sessions[0][0] <= now:
            app = int(order[self.next_push])
            if push_at[app] > now:
                break
            free_at, session = heapq.heappop(self.sessions)
            self.next_push += 1
            self.app_session[app] = session
            taken.append(app)
            requested[app] = max(free_at, float(push_at[app])) + (calls + upload[app]) * self.jitter.factor()
        return taken

    def next_session_at(self) -> float:
        """When the next app can be taken by a session (inf when none is left or none is idle)."""
        if self.next_push >= len(self.apps.push_order) or not self.sessions:
            return math.inf
        return max(self.sessions[0][0], float(self.apps.push_at[self.apps.push_order[self.next_push]]))

    def app_started(self, app: int, all_running: float) -> None:
        """Every instance of ``app`` runs from ``all_running``: the cf CLI sees it at its next poll."""
        self.trace.all_running_at[app] = all_running
        self.release_session(app, all_running + self.timing.cli_poll_interval_s * self.jitter.uniform())

    def staged_without_instances(self, app: int, staged: float) -> None:
        """An app of no instances is done once staged: its cf push ends there."""
        self.trace.all_running_at[app] = staged
        self.release_session(app, staged)
        self.apps_done += 1

    def release_session(self, app: int, at: float) -> None:
        heapq.heappush(self.sessions, (at, int(self.app_session[app])))

    def all_pushed(self) -> bool:
        return self.next_push >= len(self.apps.push_order)

    def check_finished(self) -> None:
        """Finished once every pushed app runs or failed to stage, and nothing is left to push."""
        if self.finished_at is not None or not self.all_pushed():
            return
        if self.apps_done < len(self.apps.push_order):
            return
        pushed = self.apps.push_order
        failed = self.trace.staging_failed_at[pushed]
        ends = np.where(np.isfinite(failed), failed, self.trace.all_running_at[pushed])
        if len(ends) and np.isfinite(ends).all():
            self.finished_at = float(ends.max())

    # -- reading the run back -----------------------------------------------------------------

    def frame(self, t: float) -> FleetFrame:
        t = min(t, self.engine.now)
        return aggregate(self.name, self.trace, self.layout, t, self.queue_stamps, self.finished_at)
