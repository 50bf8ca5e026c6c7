"""The scheduling queue: activeQ order, backoff and unschedulable pods (kubernetes-eirini.md §2.5).

Backoff after the n-th attempt = 1 s × 2^(n−1), at most 10 s, counted from the failure. Unschedulable
pods move on a cluster event, or when the 30 s leftover flush finds them older than 5 minutes.
"""

from __future__ import annotations

import copy
from itertools import pairwise

import pytest

from simulator.kubernetes.cluster import PodWork
from simulator.kubernetes.constants import EVENT_NODE_ADD, EVENT_POD_DELETE
from simulator.kubernetes.queue import ACTIVE, BACKOFF, UNSCHEDULABLE, SchedulingQueue, backoff_duration


def pod(name: str = "web-0", priority: int = 0) -> PodWork:
    return PodWork(name, "web", int(name.rsplit("-", 1)[1]), memory_mb=256, priority=priority)


def popped_name(queue: SchedulingQueue, now: float) -> str | None:
    queued = queue.pop(now)
    return None if queued is None else queued.pod.name


# --- backoff ---------------------------------------------------------------------------------------


def test_backoff_doubles_from_one_second_to_a_ten_second_cap() -> None:
    """Attempts 1…6 back off 1, 2, 4, 8, 10 (16 capped), 10 s."""
    assert [backoff_duration(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff_duration(0) == 0.0


def test_a_pod_that_keeps_failing_is_retried_after_1_2_4_8_10_10_seconds() -> None:
    """Each failure (an error, so straight to backoffQ) delays the next pop by the next backoff."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    pops = []
    now = 0.0
    for _ in range(7):
        queued = queue.pop(now)
        assert queued is not None
        pops.append(now)
        assert queue.mark_unschedulable("web-0", now, error=True) == BACKOFF
        expiry = queue.next_event_time()
        assert expiry is not None
        assert queue.pop(expiry - 0.001) is None  # not a moment earlier
        now = expiry
    # popped at 0, 1, 3, 7, 15, 25, 35
    assert pops == [0.0, 1.0, 3.0, 7.0, 15.0, 25.0, 35.0]
    assert [b - a for a, b in pairwise(pops)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_attempts_count_every_pop() -> None:
    """``Attempts`` goes up each time the pod is popped for a scheduling cycle."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    first = queue.pop(0.0)
    assert first is not None and first.attempts == 1
    queue.mark_unschedulable("web-0", 0.0, error=True)
    second = queue.pop(1.0)
    assert second is not None and second.attempts == 2
    assert queue.scheduling_cycle == 2


# --- unschedulable pods ----------------------------------------------------------------------------


def test_an_unschedulable_pod_waits_for_the_five_minute_flush() -> None:
    """Failed at t = 10 with no event: the first 30 s tick after 10 + 300 = 310 is 330."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    queue.pop(0.0)

    assert queue.mark_unschedulable("web-0", 10.0, plugins=("NodeResourcesFit",)) == UNSCHEDULABLE
    assert queue.next_event_time() == 330.0
    assert queue.pop(329.9) is None
    assert popped_name(queue, 330.0) == "web-0"


def test_the_flush_needs_strictly_more_than_five_minutes() -> None:
    """Failed at t = 0: at the tick t = 300 it has waited exactly 300 s, not more; it goes at 330."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    queue.pop(0.0)
    queue.mark_unschedulable("web-0", 0.0)

    assert queue.flush(300.0) == []
    assert queue.flush(330.0) == ["web-0"]
    assert queue.where("web-0") == ACTIVE


def test_flush_ticks_count_from_the_queues_start() -> None:
    """A scheduler started at t = 5 flushes at 5, 35, …, 305: a pod failed at 0 leaves at 305."""
    queue = SchedulingQueue(origin=5.0)
    queue.add(pod(), now=0.0)
    queue.pop(0.0)
    queue.mark_unschedulable("web-0", 0.0)

    assert queue.next_event_time() == 305.0


def test_the_2019_leftover_interval_can_be_configured() -> None:
    """Up to v1.21 the leftover flush moved pods after 60 s: failed at 0, retried at tick 90."""
    queue = SchedulingQueue(max_in_unschedulable_s=60.0)
    queue.add(pod(), now=0.0)
    queue.pop(0.0)
    queue.mark_unschedulable("web-0", 0.0)

    # first tick strictly after 0 + 60 = 60 is 90
    assert queue.next_event_time() == 90.0


def test_a_cluster_event_moves_an_unschedulable_pod_to_active_once_its_backoff_is_over() -> None:
    """Failed at 0 on attempt 1 (backoff 1 s); a node added at t = 2 sends it straight to activeQ."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    queue.pop(0.0)
    queue.mark_unschedulable("web-0", 0.0)

    assert queue.move_all_to_active_or_backoff(2.0, EVENT_NODE_ADD) == ["web-0"]
    assert queue.where("web-0") == ACTIVE
    assert queue.last_move_event == EVENT_NODE_ADD
    assert popped_name(queue, 2.0) == "web-0"


def test_a_cluster_event_during_the_backoff_sends_the_pod_to_backoff() -> None:
    """A pod deleted at t = 0.5: the pod failed at 0 still backs off until 1.0."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    queue.pop(0.0)
    queue.mark_unschedulable("web-0", 0.0)

    queue.move_all_to_active_or_backoff(0.5, EVENT_POD_DELETE)

    assert queue.where("web-0") == BACKOFF
    assert queue.next_event_time() == 1.0
    assert queue.pop(0.9) is None
    assert popped_name(queue, 1.0) == "web-0"


def test_an_event_during_the_attempt_sends_the_failed_pod_to_backoff_not_unschedulable() -> None:
    """A move request after the pod was popped means the world changed: retry after backoff."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    queue.pop(0.0)

    queue.move_all_to_active_or_backoff(0.1, EVENT_NODE_ADD)  # nothing to move yet

    assert queue.mark_unschedulable("web-0", 0.2) == BACKOFF
    assert queue.next_event_time() == pytest.approx(1.2)


def test_an_event_before_the_pop_does_not_count_for_that_attempt() -> None:
    """Move requests from earlier cycles do not send a later failure to backoffQ."""
    queue = SchedulingQueue()
    queue.move_all_to_active_or_backoff(0.0, EVENT_NODE_ADD)
    queue.add(pod(), now=1.0)
    queue.pop(1.0)

    assert queue.mark_unschedulable("web-0", 1.0) == UNSCHEDULABLE


# --- activeQ order ---------------------------------------------------------------------------------


def test_active_pods_come_out_by_priority_then_first_in_first_out() -> None:
    """PrioritySort: higher priority first, then the earlier timestamp."""
    queue = SchedulingQueue()
    queue.add(pod("web-0"), now=0.0)
    queue.add(pod("web-1"), now=1.0)
    queue.add(pod("urgent-0", priority=100), now=2.0)
    queue.add(pod("web-2"), now=1.0)  # same time as web-1, added later

    assert [popped_name(queue, 3.0) for _ in range(4)] == ["urgent-0", "web-0", "web-1", "web-2"]
    assert queue.pop(3.0) is None


def test_a_retried_pod_queues_by_the_time_it_failed() -> None:
    """Back in activeQ, a pod keeps its failure time: behind pods added before, ahead of pods added after."""
    queue = SchedulingQueue()
    queue.add(pod("web-0"), now=0.0)
    queue.pop(0.0)
    queue.mark_unschedulable("web-0", 5.0, error=True)  # back off until 6
    queue.add(pod("web-1"), now=4.0)
    queue.add(pod("web-2"), now=7.0)

    assert [popped_name(queue, 8.0) for _ in range(3)] == ["web-1", "web-0", "web-2"]


# --- bookkeeping -----------------------------------------------------------------------------------


def test_a_deleted_pod_leaves_every_queue() -> None:
    """Deleting a waiting pod removes it and its timers."""
    queue = SchedulingQueue()
    queue.add(pod("web-0"), now=0.0)
    queue.add(pod("web-1"), now=0.0)
    queue.pop(0.0)
    queue.mark_unschedulable("web-0", 0.0)

    queue.delete("web-0")
    queue.delete("web-1")

    assert queue.next_event_time() is None
    assert queue.pop(1000.0) is None
    assert queue.mark_unschedulable("web-0", 1.0) is None
    assert queue.counts() == {"active": 0, "backoff": 0, "unschedulable": 0, "in flight": 0}


def test_a_scheduled_pod_is_forgotten() -> None:
    """``done`` after a successful cycle: the pod is no longer in flight."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)
    queue.pop(0.0)
    assert queue.counts()["in flight"] == 1

    queue.done("web-0")

    assert queue.where("web-0") is None


def test_an_empty_queue_has_nothing_to_wake_for() -> None:
    """No backoff and no unschedulable pod: no next event."""
    queue = SchedulingQueue()
    queue.add(pod(), now=0.0)

    assert queue.next_event_time() is None


def test_the_queue_is_plain_data_that_a_deep_copy_replays_identically() -> None:
    """No timers or callables inside: a copy (an engine snapshot) behaves exactly like the original."""
    queue = SchedulingQueue()
    for i in range(3):
        queue.add(pod(f"web-{i}"), now=float(i))
    queue.pop(3.0)
    queue.mark_unschedulable(pod("web-0"), 3.0)  # a PodWork works as well as its name

    twin = copy.deepcopy(queue)

    for q in (queue, twin):
        q.move_all_to_active_or_backoff(3.5, EVENT_NODE_ADD)
    assert [popped_name(queue, 10.0) for _ in range(4)] == [popped_name(twin, 10.0) for _ in range(4)]
