"""Eirini's and Kubernetes' model state as plain dataclasses: nodes, pods, StatefulSets, Jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.kubernetes.cluster import Taint
from simulator.scenario import CellSpec

# Pod phases and the container's state (kubernetes-eirini.md §3.1).
PENDING = "Pending"
RUNNING = "Running"
SUCCEEDED = "Succeeded"
FAILED = "Failed"

# The node's Ready condition as the node lifecycle controller sets it (§3.7).
NODE_READY = "True"
NODE_UNKNOWN = "Unknown"


@dataclass(slots=True)
class Node:
    spec: CellSpec
    index: int
    ip: str
    cpu_millis: int
    unschedulable: bool = False
    # Image layers already on the node (layer id → MB) and whole images (name → MB).
    layers: dict[str, float] = field(default_factory=dict)
    images: dict[str, float] = field(default_factory=dict)
    pods: dict[str, str] = field(default_factory=dict)  # pod name → app
    # serializeImagePulls: one pull at a time per node (§3.2).
    pulling: str | None = None
    pull_queue: list[str] = field(default_factory=list)
    next_pod_ip: int = 2
    # The machine is off (failed, or rebooting after a drain): no kubelet, no containers.
    down: bool = False
    # It went down without warning (``fail``), as opposed to a planned reboot.
    failed: bool = False
    # Bumped every time the node goes down, so that work started before is recognised as stale.
    boot: int = 0
    # The kubelet posts node status every 10 s from its start (§3.7).
    kubelet_started_at: float = 0.0
    # What the API says: the Ready condition and the taints the node lifecycle controller set.
    ready_condition: str = NODE_READY
    condition_taints: tuple[Taint, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(slots=True)
class Pod:
    name: str
    owner: str  # the StatefulSet or Job
    app: str
    ordinal: int  # the CF instance index; -1 for a staging pod
    kind: str  # "app" or "staging"
    cpu_millis: int
    memory_mb: int
    disk_mb: int
    image: str
    uid: str
    created_at: float
    phase: str = PENDING
    node: str | None = None
    ip: str | None = None
    ready: bool = False
    container: str = "waiting"  # waiting, running, terminated
    reason: str = "scheduling"
    restarts: int = 0
    started_at: float = 0.0
    deleting: bool = False
    unschedulable_reason: str | None = None
    # Incremented whenever the container (re)starts, so stale probe timers know to stop.
    generation: int = 0
    liveness_failures: int = 0
    # CrashLoopBackOff step: the next restart waits 10 s × 2^(step-1), reset after 10 min running.
    backoff_step: int = 0
    # Why the container last terminated (the crash reporter's exit description, §1.9).
    last_exit: str = ""
    # The StatefulSet revision the pod was created from (its template's rootfs-version label).
    revision: int = 0
    # The eirinifs version in the image it runs: whatever bits-service served at its last pull.
    rootfs: str | None = None

    @property
    def instance(self) -> str:
        return f"{self.app}/{self.ordinal}" if self.kind == "app" else f"task:{self.owner}"


@dataclass(slots=True)
class StatefulSet:
    name: str
    app: str
    replicas: int
    image: str
    droplet_mb: float
    memory_mb: int
    disk_mb: int
    cpu_millis: int
    # Ordinals whose pod the controller still has to create (it creates one API call at a time).
    to_create: list[int] = field(default_factory=list)
    creating: bool = False
    # The rootfs-version label on the set and its pod template (§1.3, §1.10). Changing the
    # template makes a new update revision; the current revision catches up once every pod was
    # recreated from it and is Ready (§3.5).
    rootfs_version: str = ""
    revision: int = 1
    current_revision: int = 1

    @property
    def rolling(self) -> bool:
        return self.current_revision != self.revision


@dataclass(slots=True)
class Job:
    name: str
    app: str
    pod: str | None = None
