"""kube-scheduler's scheduling queue as plain data: activeQ, backoffQ and unschedulable pods (§2.5).

* **activeQ** is ordered by pod priority (higher first), then by timestamp (earlier first): when
  the pod was added, or when its last attempt failed (``PrioritySort``).
* A failed attempt sends the pod to **unschedulable pods**, unless the attempt ended in an error
  or a cluster event (a move request) arrived after the pod was popped: then to **backoffQ**.
* The backoff after the n-th attempt is ``1 s × 2^(n−1)``, at most 10 s: 1, 2, 4, 8, 10, 10 …,
  counted from the failure. A pod leaves backoffQ for activeQ when its backoff has expired.
* A cluster event moves every unschedulable pod to backoffQ (still backing off) or activeQ
  (without queueing hints, any relevant event moves every pod).
* ``flushUnschedulablePodsLeftover`` runs every 30 s from the queue's start and moves pods that
  have been unschedulable for more than 5 minutes, so a pod nobody wakes is retried within
  5 min 30 s.

The queue owns no timers: every method takes ``now`` (simulated seconds), and
:meth:`SchedulingQueue.next_event_time` tells the caller when to come back. Pods are known by
name (a :class:`PodWork` is accepted wherever a name is). Equal priority and timestamp go
first-in first-out (Go's heap leaves that order open).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from simulator.kubernetes.cluster import PodWork
from simulator.kubernetes.constants import (
    EVENT_UNSCHEDULABLE_TIMEOUT,
    POD_INITIAL_BACKOFF_S,
    POD_MAX_BACKOFF_S,
    POD_MAX_IN_UNSCHEDULABLE_PODS_S,
    UNSCHEDULABLE_FLUSH_INTERVAL_S,
)

ACTIVE = "active"
BACKOFF = "backoff"
UNSCHEDULABLE = "unschedulable"
IN_FLIGHT = "in flight"


def _name(pod: PodWork | str) -> str:
    return pod if isinstance(pod, str) else pod.name


def backoff_duration(
    attempts: int, initial_s: float = POD_INITIAL_BACKOFF_S, max_s: float = POD_MAX_BACKOFF_S
) -> float:
    """``calculateBackoffDuration``: ``initial × 2^(attempts−1)``, capped at ``max_s``; 0 before any attempt."""
    if attempts <= 0:
        return 0.0
    duration = initial_s
    for _ in range(1, attempts):
        if duration > max_s - duration:
            return max_s
        duration += duration
    return min(duration, max_s)


@dataclass(slots=True)
class QueuedPod:
    """``QueuedPodInfo``: the pod, how often it was tried, and when it last entered or failed."""

    pod: PodWork
    timestamp: float
    initial_timestamp: float
    attempts: int = 0
    where: str = ACTIVE
    # The scheduling cycle in which it was last popped; compared with the last move request.
    cycle: int = 0
    unschedulable_plugins: tuple[str, ...] = ()
    # Bumped whenever it enters a heap, so that stale heap entries can be recognised and skipped.
    entry: int = 0


@dataclass(slots=True)
class SchedulingQueue:
    """``PriorityQueue`` without goroutines. Defaults are kube-scheduler's (§2.5)."""

    initial_backoff_s: float = POD_INITIAL_BACKOFF_S
    max_backoff_s: float = POD_MAX_BACKOFF_S
    max_in_unschedulable_s: float = POD_MAX_IN_UNSCHEDULABLE_PODS_S
    flush_interval_s: float = UNSCHEDULABLE_FLUSH_INTERVAL_S
    # When the scheduler started: the leftover flush ticks at origin + k × flush_interval_s.
    origin: float = 0.0
    scheduling_cycle: int = 0
    move_request_cycle: int = -1
    pods: dict[str, QueuedPod] = field(default_factory=dict)
    # Heaps of (-priority, timestamp, entry, name) and (expiry, entry, name).
    active: list[tuple[int, float, int, str]] = field(default_factory=list)
    backoff: list[tuple[float, int, str]] = field(default_factory=list)
    unschedulable: dict[str, None] = field(default_factory=dict)
    next_entry: int = 0
    # What caused the latest move of unschedulable pods (an ``EVENT_*`` name), for the record.
    last_move_event: str = ""

    # --- entering and leaving --------------------------------------------------------------------

    def add(self, pod: PodWork, now: float) -> None:
        """A new pending pod enters activeQ; a pod already queued only has its spec replaced."""
        known = self.pods.get(pod.name)
        if known is not None:
            known.pod = pod
            return
        queued = QueuedPod(pod, timestamp=now, initial_timestamp=now)
        self.pods[pod.name] = queued
        self._to_active(queued)

    def pop(self, now: float) -> QueuedPod | None:
        """The next pod to schedule (after moving everything due by ``now``), or ``None`` if activeQ is empty.

        Popping starts a scheduling cycle: the cycle counter and the pod's attempts go up by one.
        """
        self.flush(now)
        while self.active:
            _, _, entry, name = heapq.heappop(self.active)
            queued = self.pods.get(name)
            if queued is None or queued.where != ACTIVE or queued.entry != entry:
                continue
            self.scheduling_cycle += 1
            queued.attempts += 1
            queued.cycle = self.scheduling_cycle
            queued.where = IN_FLIGHT
            return queued
        return None

    def mark_unschedulable(
        self, pod: PodWork | str, now: float, *, plugins: tuple[str, ...] = (), error: bool = False
    ) -> str | None:
        """``AddUnschedulableIfNotPresent`` for a popped pod whose attempt failed at ``now``.

        It goes to backoffQ after an error (``error=True``, e.g. a failed bind) or if a move
        request came after it was popped; otherwise to unschedulable pods. ``plugins`` are the
        filter plugins that rejected it, kept for the record. Returns where it went, or ``None``
        if the pod was deleted meanwhile.
        """
        name = _name(pod)
        queued = self.pods.get(name)
        if queued is None:
            return None
        queued.timestamp = now
        queued.unschedulable_plugins = tuple(plugins)
        if error or self.move_request_cycle >= queued.cycle:
            self._to_backoff(queued)
        else:
            queued.where = UNSCHEDULABLE
            self.unschedulable[name] = None
        return queued.where

    def done(self, pod: PodWork | str) -> None:
        """The pod was scheduled (assumed): the queue forgets it."""
        self.delete(pod)

    def delete(self, pod: PodWork | str) -> None:
        """The pod was deleted, or scheduled; stale heap entries are skipped later."""
        name = _name(pod)
        queued = self.pods.pop(name, None)
        if queued is not None and queued.where == UNSCHEDULABLE:
            del self.unschedulable[name]

    # --- moving ----------------------------------------------------------------------------------

    def move_all_to_active_or_backoff(self, now: float, event: str) -> list[str]:
        """A cluster event (node added or updated, pod deleted…): move every unschedulable pod.

        Pods still within their backoff go to backoffQ, the others to activeQ. Records a move
        request, so pods being scheduled right now go to backoffQ if they fail. Returns the moved
        pods' names. ``event`` names the cause (``EVENT_*`` in constants); without queueing
        hints every event moves every pod (§2.5).
        """
        return self._move(list(self.unschedulable), now, event)

    def flush(self, now: float) -> list[str]:
        """Do every timed move due by ``now``: unschedulable leftovers, then expired backoffs.

        Returns the names of the pods that entered activeQ.
        """
        due = [name for name in self.unschedulable if self._leftover_flush_time(self.pods[name]) <= now]
        # Unlike a cluster event, the leftover flush records a move request only if it moved a pod.
        moved = self._move(due, now, EVENT_UNSCHEDULABLE_TIMEOUT) if due else []
        entered = [name for name in moved if self.pods[name].where == ACTIVE]
        while self.backoff and self.backoff[0][0] <= now:
            _, entry, name = heapq.heappop(self.backoff)
            queued = self.pods.get(name)
            if queued is None or queued.where != BACKOFF or queued.entry != entry:
                continue
            self._to_active(queued)
            entered.append(name)
        return entered

    def next_event_time(self) -> float | None:
        """The earliest time a timed move is due (a backoff expiring, a leftover flush), or ``None``."""
        times = [self._leftover_flush_time(self.pods[name]) for name in self.unschedulable]
        for expiry, entry, name in self.backoff:
            queued = self.pods.get(name)
            if queued is not None and queued.where == BACKOFF and queued.entry == entry:
                times.append(expiry)
        return min(times, default=None)

    # --- reading ---------------------------------------------------------------------------------

    def where(self, pod: PodWork | str) -> str | None:
        queued = self.pods.get(_name(pod))
        return None if queued is None else queued.where

    def counts(self) -> dict[str, int]:
        """How many pods are in each place (``active``, ``backoff``, ``unschedulable``, ``in flight``)."""
        counts = dict.fromkeys((ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT), 0)
        for queued in self.pods.values():
            counts[queued.where] += 1
        return counts

    def backoff_expiry(self, name: str) -> float:
        """When the pod's current backoff ends: its last failure plus the backoff for its attempts."""
        queued = self.pods[name]
        return queued.timestamp + backoff_duration(
            queued.attempts, self.initial_backoff_s, self.max_backoff_s
        )

    # --- internals -------------------------------------------------------------------------------

    def _leftover_flush_time(self, queued: QueuedPod) -> float:
        """The first flush tick at which the pod has been unschedulable for strictly longer than the maximum."""
        threshold = queued.timestamp + self.max_in_unschedulable_s
        ticks = math.floor((threshold - self.origin) / self.flush_interval_s) + 1
        return self.origin + max(ticks, 0) * self.flush_interval_s

    def _move(self, names: list[str], now: float, event: str) -> list[str]:
        """``movePodsToActiveOrBackoffQueue``: by backoff; then record a move request, even if none moved."""
        for name in names:
            queued = self.pods[name]
            del self.unschedulable[name]
            if self.backoff_expiry(name) > now:
                self._to_backoff(queued)
            else:
                self._to_active(queued)
        self.move_request_cycle = self.scheduling_cycle
        self.last_move_event = event
        return names

    def _new_entry(self, queued: QueuedPod) -> int:
        self.next_entry += 1
        queued.entry = self.next_entry
        return queued.entry

    def _to_active(self, queued: QueuedPod) -> None:
        queued.where = ACTIVE
        entry = self._new_entry(queued)
        heapq.heappush(self.active, (-queued.pod.priority, queued.timestamp, entry, queued.pod.name))

    def _to_backoff(self, queued: QueuedPod) -> None:
        queued.where = BACKOFF
        entry = self._new_entry(queued)
        heapq.heappush(self.backoff, (self.backoff_expiry(queued.pod.name), entry, queued.pod.name))
