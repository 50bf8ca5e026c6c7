"""Diego's model state as plain dataclasses: cells and containers, BBS records, apps, routes."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.scenario import CellSpec

# Executor container states (diego.md §2.3).
RESERVED = "RESERVED"
INITIALIZING = "INITIALIZING"
CREATED = "CREATED"
RUNNING = "RUNNING"
COMPLETED = "COMPLETED"
STARTING_STATES = frozenset({RESERVED, INITIALIZING, CREATED})

# ActualLRP states (diego.md §3.1).
UNCLAIMED = "UNCLAIMED"
CLAIMED = "CLAIMED"
LRP_RUNNING = "RUNNING"
CRASHED = "CRASHED"
REMOVED = "REMOVED"

# Task states (diego.md §4.4).
PENDING = "PENDING"
TASK_RUNNING = "RUNNING"
TASK_COMPLETED = "COMPLETED"
RESOLVING = "RESOLVING"
DELETED = "DELETED"


@dataclass(slots=True)
class Container:
    guid: str
    cell: str
    kind: str  # "lrp" or "task"
    work: str  # "web/0" or "task:staging-web"
    app: str
    index: int
    memory_mb: int
    disk_mb: int
    state: str = RESERVED
    detail: str = "reserved"
    host_port: int = 0
    run_started_at: float = 0.0
    health_checks: int = 0
    stopping: bool = False
    failed: bool = False


@dataclass(slots=True)
class Cell:
    spec: CellSpec
    index: int
    ip: str
    containers: dict[str, Container] = field(default_factory=dict)
    downloads_active: int = 0
    download_queue: list[str] = field(default_factory=list)
    creates_active: int = 0
    create_queue: list[str] = field(default_factory=list)
    next_port: int = 0
    # The VM and its rep are up; the rep's Locket presence is registered; it is evacuating.
    alive: bool = True
    present: bool = True
    evacuating: bool = False
    evacuation_started: float = 0.0
    rootfs_version: str = ""
    # A failed cell that the scenario brings back later.
    recovering: bool = False

    @property
    def name(self) -> str:
        return self.spec.name

    def memory_used(self) -> int:
        return sum(c.memory_mb for c in self.containers.values())

    def disk_used(self) -> int:
        return sum(c.disk_mb for c in self.containers.values())

    def starting_count(self) -> int:
        return sum(1 for c in self.containers.values() if c.state in STARTING_STATES)


@dataclass(slots=True)
class ActualLRP:
    app: str
    index: int
    state: str = UNCLAIMED
    since: float = 0.0
    instance_guid: str | None = None
    cell: str | None = None
    address: str | None = None
    placement_error: str | None = None
    crash_count: int = 0
    detail: str = "waiting for placement"

    @property
    def key(self) -> str:
        return f"{self.app}/{self.index}"


@dataclass(slots=True)
class Task:
    guid: str
    app: str
    memory_mb: int
    disk_mb: int
    stack: str
    placement_tags: tuple[str, ...]
    state: str = PENDING
    since: float = 0.0
    created_at: float = 0.0
    cell: str | None = None
    rejection_count: int = 0
    failed: bool = False
    failure_reason: str = ""
    detail: str = "waiting for placement"


@dataclass(slots=True)
class DesiredLRP:
    app: str
    instances: int
    memory_mb: int
    disk_mb: int
    stack: str
    placement_tags: tuple[str, ...]
