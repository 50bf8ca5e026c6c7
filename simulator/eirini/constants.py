"""Numbers Eirini (2019) and Kubernetes really use, with where they come from
(``../shared/reference/kubernetes-eirini.md``)."""

from __future__ import annotations

# §1.8: pods are routed directly on their IP and port 8080; the route collector re-registers
# every Ready pod every 30 s.
APP_PORT = 8080
ROUTE_COLLECTOR_INTERVAL_S = 30.0

# §1.3 / §3.4: Eirini's probes. Readiness: period 10 s, failureThreshold 1, no initial delay.
# Liveness: period 10 s, failureThreshold 4, initial delay = the CC health-check timeout.
PROBE_PERIOD_S = 10.0
READINESS_FAILURE_THRESHOLD = 1
LIVENESS_FAILURE_THRESHOLD = 4

# §3.3: CrashLoopBackOff: 10 s doubling, at most 300 s, reset after 10 minutes running.
CRASH_BACKOFF_INITIAL_S = 10.0
CRASH_BACKOFF_MAX_S = 300.0
CRASH_BACKOFF_RESET_S = 600.0
# What a crashing app's container reports (§3.1: Terminated, reason Error; §1.9: exit code ≠ 0).
CRASH_EXIT_STATUS = 1

# §1.3 / §3.8: no terminationGracePeriodSeconds is set, so the pod default of 30 s applies.
TERMINATION_GRACE_S = 30.0

# §3.7: node failure. The kubelet posts node status (and renews its Lease) every 10 s; the node
# lifecycle controller checks every 5 s (--node-monitor-period) and marks a node Ready=Unknown,
# tainted node.kubernetes.io/unreachable NoSchedule + NoExecute, after 40 s without a heartbeat
# (--node-monitor-grace-period, the default until v1.31). The taint manager then evicts pods
# once their 300 s toleration (DefaultTolerationSeconds, kubernetes/constants.py) runs out.
NODE_STATUS_UPDATE_FREQUENCY_S = 10.0
NODE_MONITOR_PERIOD_S = 5.0
NODE_MONITOR_GRACE_PERIOD_S = 40.0

# §3.6: kubectl drain retries an eviction refused by a PodDisruptionBudget (429) every 5 s.
EVICTION_RETRY_S = 5.0
# Not in the reference: kubectl drain waits for each evicted pod to be gone by polling every
# second (k8s.io/kubectl/pkg/drain ``waitForDelete``, ``wait.PollImmediate(1*time.Second, …)``).
DRAIN_POLL_INTERVAL_S = 1.0

# §1.10: the rootfs patcher's bits-waiter init container polls the bits Deployment every 1 s.
# (Its 2 min timeout, rootfs_patcher_timeout, never runs out here: bits-service always restarts.)
BITS_WAITER_POLL_S = 1.0
# §1.10: eirini-release values.yaml (d17bfb8a) ships global.rootfs_version v75.0.0; cfviz's
# clusters start with it, so a rollout of another version relabels every StatefulSet.
DEFAULT_ROOTFS_VERSION = "v75.0.0"
ROOTFS_VERSION_LABEL = "cloudfoundry.org/rootfs-version"

# §1.6: the staging Job's hard deadline.
STAGING_ACTIVE_DEADLINE_S = 900.0

# §3.5: the controller manager writes to the API at 20 QPS; before v1.28 a Parallel
# StatefulSet still created its pods one API call after another.
KCM_API_QPS = 20.0

# §1.3: memory request = limit = memory_mb; CPU request = cpu_weight × 10 millicores (2019),
# cpu_weight = 100 × max(128, memory_mb) / 8192, at most 100; disk limit 2048 MB when CC sends 0.
CPU_WEIGHT_MIN_MEMORY_MB = 128
CPU_WEIGHT_MEMORY_DIVISOR = 8192
CPU_MILLIS_PER_WEIGHT_2019 = 10
DEFAULT_DISK_LIMIT_MB = 2048

# §2.1: the scheduler's bind goes through the API server; the image a pod runs is
# <registry>/cloudfoundry/<droplet guid>:<hash> with two layers (§1.7).
REGISTRY_HOST = "registry.eirini"


def cpu_request_millis(memory_mb: int) -> int:
    """CC's cpu_weight for the app's memory, × 10 millicores as Eirini requested in 2019."""
    weight = min(100, 100 * max(CPU_WEIGHT_MIN_MEMORY_MB, memory_mb) // CPU_WEIGHT_MEMORY_DIVISOR)
    return weight * CPU_MILLIS_PER_WEIGHT_2019


def crash_backoff(restarts: int) -> float:
    """The kubelet's wait before restart number ``restarts`` (1-based) of a crashing container."""
    return min(CRASH_BACKOFF_INITIAL_S * 2 ** (restarts - 1), CRASH_BACKOFF_MAX_S)


def next_backoff_step(step: int, ran_for_s: float) -> int:
    """The CrashLoopBackOff step after a crash: one more, or 1 again after 10 minutes running (§3.3)."""
    return 1 if ran_for_s >= CRASH_BACKOFF_RESET_S else step + 1
