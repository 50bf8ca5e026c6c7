"""The StatefulSet controller's RollingUpdate, as one pure decision per sync (§3.5).

``stateful_set_control.go`` walks the ordinals from the highest down to the partition (0 for
Eirini). At the first pod not at the update revision and not terminating, it deletes that pod and
ends the sync; the controller recreates the ordinal at the new revision once the old pod is gone.
At the first pod that is not healthy (Running and Ready, not terminating) it waits. Pod
management ``Parallel`` does not change this: exactly one pod is down at a time, and a new pod
that never becomes Ready halts its set's rollout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DELETE = "delete"
WAIT = "wait"
DONE = "done"


@dataclass(frozen=True, slots=True)
class OrdinalState:
    """What the controller reads of one pod: its revision, whether it is terminating or healthy."""

    revision: int
    terminating: bool = False
    healthy: bool = True


def rolling_update_step(
    pods: Mapping[int, OrdinalState], replicas: int, update_revision: int, partition: int = 0
) -> tuple[str, int | None]:
    """``(DELETE, ordinal)``, ``(WAIT, ordinal)`` or ``(DONE, None)`` for one sync of the set.

    A missing ordinal counts as unhealthy: the controller is creating it.
    """
    for ordinal in range(replicas - 1, partition - 1, -1):
        pod = pods.get(ordinal)
        if pod is None:
            return WAIT, ordinal
        if pod.revision != update_revision and not pod.terminating:
            return DELETE, ordinal
        if not pod.healthy or pod.terminating:
            return WAIT, ordinal
    return DONE, None
