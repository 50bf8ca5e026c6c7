"""Numbers and texts kube-scheduler really uses, each with where it comes from.

Section numbers (§) refer to ``../shared/reference/kubernetes-eirini.md``. Where the reference is
silent, the comment says so and names the Kubernetes source file the value was read from instead.
Two eras are modelled (§2.2): the 2019 legacy algorithm provider (predicates and priorities,
scores 0–10, Kubernetes v1.14–v1.16) and the current scheduling framework (plugins, 0–100).
"""

from __future__ import annotations

# --- modes ----------------------------------------------------------------------------------------

MODE_LEGACY = "legacy-2019"
MODE_FRAMEWORK = "framework"
MODES = (MODE_LEGACY, MODE_FRAMEWORK)

# §2.2: the legacy provider scored 0–10 (``MaxPriority = 10``); the framework scores 0–100
# (``MaxNodeScore = 100``, kubernetes/kubernetes PR #83522, released in v1.17).
MAX_PRIORITY_LEGACY = 10
MAX_NODE_SCORE = 100

# --- filter plugins (predicates), in the order they run -------------------------------------------

# §2.2, 2019: with TaintNodesByCondition the node-condition predicates give way to the mandatory
# CheckNodeUnschedulable and PodToleratesNodeTaints. GeneralPredicates is PodFitsResources,
# PodFitsHost, PodFitsHostPorts and PodMatchNodeSelector. The order is ``predicatesOrdering``
# in pkg/scheduler/algorithm/predicates/predicates.go (not in the reference). Volume, disk and
# inter-pod-affinity predicates are left out: Eirini pods have no volumes or affinity (§1.3).
CHECK_NODE_UNSCHEDULABLE = "CheckNodeUnschedulable"
GENERAL_PREDICATES = "GeneralPredicates"
POD_TOLERATES_NODE_TAINTS = "PodToleratesNodeTaints"
LEGACY_FILTERS = (CHECK_NODE_UNSCHEDULABLE, GENERAL_PREDICATES, POD_TOLERATES_NODE_TAINTS)

# §2.2, current default profile, in its MultiPoint order. NodeName, NodePorts, the volume plugins
# and InterPodAffinity are left out: they pass every Eirini pod (§2.6). PodTopologySpread filters
# only on explicit DoNotSchedule constraints; the StatefulSet system defaults are soft.
NODE_UNSCHEDULABLE = "NodeUnschedulable"
TAINT_TOLERATION = "TaintToleration"
NODE_AFFINITY = "NodeAffinity"
NODE_RESOURCES_FIT = "NodeResourcesFit"
POD_TOPOLOGY_SPREAD = "PodTopologySpread"
FRAMEWORK_FILTERS = (
    NODE_UNSCHEDULABLE,
    TAINT_TOLERATION,
    NODE_AFFINITY,
    NODE_RESOURCES_FIT,
    POD_TOPOLOGY_SPREAD,
)

# --- score plugins (priorities) and their default weights -----------------------------------------

# §2.2, 2019: every priority has weight 1 (NodePreferAvoidPodsPriority has 10000). In the
# order of the provider's list. Left out: InterPodAffinityPriority (Eirini 2019 pods declare no
# affinity, so it scores 0 everywhere) and NodePreferAvoidPodsPriority (it gives every node the
# same 10 × 10000 unless a node's annotation names the pod's ReplicationController or
# ReplicaSet, which a StatefulSet pod never has, so it cannot change a winner).
SELECTOR_SPREAD_PRIORITY = "SelectorSpreadPriority"
LEAST_REQUESTED_PRIORITY = "LeastRequestedPriority"
BALANCED_RESOURCE_ALLOCATION = "BalancedResourceAllocation"
NODE_AFFINITY_PRIORITY = "NodeAffinityPriority"
TAINT_TOLERATION_PRIORITY = "TaintTolerationPriority"
IMAGE_LOCALITY_PRIORITY = "ImageLocalityPriority"
LEGACY_WEIGHTS: dict[str, int] = {
    SELECTOR_SPREAD_PRIORITY: 1,
    LEAST_REQUESTED_PRIORITY: 1,
    BALANCED_RESOURCE_ALLOCATION: 1,
    NODE_AFFINITY_PRIORITY: 1,
    TAINT_TOLERATION_PRIORITY: 1,
    IMAGE_LOCALITY_PRIORITY: 1,
}

# §2.2 and §6, current default profile, in its MultiPoint order. NodeResourcesFit scores with
# the LeastAllocated strategy (cpu 1, memory 1). Left out: InterPodAffinity (weight 2), which
# scores 0 everywhere for pods without affinity terms (Eirini before 2020, §1.3).
NODE_RESOURCES_BALANCED_ALLOCATION = "NodeResourcesBalancedAllocation"
IMAGE_LOCALITY = "ImageLocality"
FRAMEWORK_WEIGHTS: dict[str, int] = {
    TAINT_TOLERATION: 3,
    NODE_AFFINITY: 2,
    NODE_RESOURCES_FIT: 1,
    POD_TOPOLOGY_SPREAD: 2,
    NODE_RESOURCES_BALANCED_ALLOCATION: 1,
    IMAGE_LOCALITY: 1,
}
# §2.3: LeastAllocated's per-resource weights.
LEAST_ALLOCATED_CPU_WEIGHT = 1
LEAST_ALLOCATED_MEMORY_WEIGHT = 1

# --- resources -----------------------------------------------------------------------------------

# §1.3: Eirini sizes memory in decimal megabytes ("<n>M"); the simulator keeps MB throughout and
# scores in bytes, as the scheduler does.
BYTES_PER_MB = 1_000_000
MIB = 1024 * 1024
# §2.3: scoring counts a container without a CPU/memory request as 100m / 200 MiB
# (``DefaultMilliCPURequest``, ``DefaultMemoryRequest``); filtering uses the real requests.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST_BYTES = 200 * MIB
# §3.2 / §5.1: the kubelet's default ``maxPods``.
DEFAULT_MAX_PODS = 110

# --- ImageLocality (§2.3) -------------------------------------------------------------------------

# Sums below 23 MiB score 0; the top is 1000 MiB per container (framework) or 1000 MiB in all
# (2019/2020 versions). Image names without a tag are compared with ``:latest`` added.
IMAGE_MIN_THRESHOLD_BYTES = 23 * MIB
IMAGE_MAX_CONTAINER_THRESHOLD_BYTES = 1000 * MIB
IMAGE_DEFAULT_TAG = "latest"
# §3.2: a node status lists at most this many images (``nodeStatusMaxImages``).
NODE_STATUS_MAX_IMAGES = 50

# --- spreading ------------------------------------------------------------------------------------

# §2.2: well-known node labels. Every node carries its hostname label; the zone label is the
# one PodTopologySpread's system defaults use.
LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
# §2.2: PodTopologySpread system defaults, both ScheduleAnyway (soft): hostname maxSkew 3,
# zone maxSkew 5. They apply to pods owned by a Service, RC, RS or StatefulSet.
SYSTEM_DEFAULT_HOSTNAME_MAX_SKEW = 3
SYSTEM_DEFAULT_ZONE_MAX_SKEW = 5
DO_NOT_SCHEDULE = "DoNotSchedule"
SCHEDULE_ANYWAY = "ScheduleAnyway"
# Not in the reference: SelectorSpreadPriority gives two thirds of its score to zone spreading
# when nodes carry zone labels (``zoneWeighting``, pkg/scheduler/algorithm/priorities/
# selector_spreading.go, v1.14).
SELECTOR_SPREAD_ZONE_WEIGHTING = 2.0 / 3.0

# --- node sampling (§2.4) -------------------------------------------------------------------------

# Below 100 nodes every node is filtered; otherwise the adaptive percentage is
# 50 − nodes/125, floored at 5 %, and at least 100 nodes are looked for.
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
ADAPTIVE_BASE_PERCENTAGE = 50
ADAPTIVE_NODES_PER_PERCENT = 125
# §2.2: ``percentageOfNodesToScore`` default 0 means adaptive.
DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE = 0

# --- scheduling queue (§2.5) ----------------------------------------------------------------------

POD_INITIAL_BACKOFF_S = 1.0
POD_MAX_BACKOFF_S = 10.0
# ``DefaultPodMaxInUnschedulablePodsDuration``, checked by ``flushUnschedulablePodsLeftover``
# every 30 s.
POD_MAX_IN_UNSCHEDULABLE_PODS_S = 5 * 60.0
UNSCHEDULABLE_FLUSH_INTERVAL_S = 30.0
# Not in the reference: up to v1.21 the same leftover flush used ``unschedulableQTimeInterval =
# 60 * time.Second`` (pkg/scheduler/internal/queue/scheduling_queue.go). The queue defaults to
# the reference's 5 min; pass this to model a 2019 scheduler exactly.
LEGACY_UNSCHEDULABLE_Q_TIME_INTERVAL_S = 60.0

# §2.5: cluster events that move unschedulable pods (node add/update, pod delete, ...). Without
# queueing hints any of them moves every unschedulable pod.
EVENT_NODE_ADD = "NodeAdd"
EVENT_NODE_UPDATE = "NodeUpdate"
EVENT_POD_DELETE = "AssignedPodDelete"
EVENT_POD_UPDATE = "AssignedPodUpdate"
EVENT_BIND_FAILURE = "BindFailure"
EVENT_UNSCHEDULABLE_TIMEOUT = "UnschedulableTimeout"

# --- taints (§3.6, §3.7) --------------------------------------------------------------------------

TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
NO_SCHEDULE = "NoSchedule"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
NO_EXECUTE = "NoExecute"
# §3.7: DefaultTolerationSeconds gives every pod these NoExecute tolerations for 300 s.
DEFAULT_TOLERATION_SECONDS = 300

# --- FailedScheduling texts -----------------------------------------------------------------------

# §1.5 quotes "Insufficient memory"; the rest of these texts are not in the reference and are
# copied from kubernetes source: legacy from pkg/scheduler/algorithm/predicates/error.go and
# ``InsufficientResourceError.GetReason`` ("Insufficient %v"); framework from the plugins
# (noderesources/fit.go, tainttoleration, nodeaffinity, nodeunschedulable, podtopologyspread).
NO_NODE_AVAILABLE_FORMAT = "0/{total} nodes are available: {reasons}."
# Both eras return this instead of a FitError when the cluster has no node at all.
ERROR_NO_NODES_AVAILABLE = "no nodes available to schedule pods"

REASON_UNSCHEDULABLE = "node(s) were unschedulable"
REASON_INSUFFICIENT = "Insufficient {resource}"
RESOURCE_CPU = "cpu"
RESOURCE_MEMORY = "memory"
RESOURCE_EPHEMERAL_STORAGE = "ephemeral-storage"
RESOURCE_PODS = "pods"
REASON_TOO_MANY_PODS = "Too many pods"  # framework; 2019 said "Insufficient pods"
REASON_LEGACY_NODE_SELECTOR = "node(s) didn't match node selector"
REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_LEGACY_TAINTS = "node(s) had taints that the pod didn't tolerate"
# Wording from v1.25 (kubernetes/kubernetes PR #109119) until late 2025, when PR #134740 dropped
# the key and value ("untolerated taint(s)"); the value is printed even when empty ("{key: }").
REASON_UNTOLERATED_TAINT = "node(s) had untolerated taint {{{key}: {value}}}"
REASON_SPREAD_CONSTRAINTS = "node(s) didn't match pod topology spread constraints"
REASON_SPREAD_MISSING_LABEL = REASON_SPREAD_CONSTRAINTS + " (missing required label)"
# Newer schedulers append DefaultPreemption's own summary (". preemption: 0/N nodes are
# available: ...") to the event; cfviz leaves it out, as no Eirini pod can preempt another
# (§2.6: every pod has priority 0).

# Candidate verdicts of our own (not Kubernetes texts).
VERDICT_OK = "ok"
VERDICT_NOT_SAMPLED = "not sampled"
