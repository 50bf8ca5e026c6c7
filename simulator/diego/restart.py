"""The BBS restart calculator: when a crashed instance may run again (diego.md §3.3)."""

from __future__ import annotations

from simulator.diego.constants import (
    CRASH_BACKOFF_BASE_S,
    CRASH_RESET_S,
    IMMEDIATE_RESTARTS,
    MAX_BACKOFF_COUNT,
    MAX_BACKOFF_S,
    MAX_RESTARTS,
)


def next_crash_count(crash_count: int, was_running: bool, running_for: float) -> int:
    """A crash after more than 5 minutes RUNNING starts the count again at 1."""
    if was_running and running_for > CRASH_RESET_S:
        return 1
    return crash_count + 1


def restarts_immediately(crash_count: int) -> bool:
    """Crash counts 1 and 2 restart at once; the third crash already waits (diego.md §9)."""
    return crash_count < IMMEDIATE_RESTARTS


def restart_delay(crash_count: int) -> float | None:
    """Seconds after the crash before convergence may restart it; None means never again."""
    if crash_count >= MAX_RESTARTS:
        return None
    if restarts_immediately(crash_count):
        return 0.0
    exponent = min(crash_count - IMMEDIATE_RESTARTS, MAX_BACKOFF_COUNT)
    return min(CRASH_BACKOFF_BASE_S * 2**exponent, MAX_BACKOFF_S)
