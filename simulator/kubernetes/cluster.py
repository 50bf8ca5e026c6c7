"""The scheduler's view of the cluster as plain data: nodes, the pods on them, the pod to place.

:class:`NodeState` is what the scheduler cache holds for one node (its ``NodeInfo``): labels,
taints, the cordon flag, allocatable resources, the sum of requests of the pods assumed or bound
to it, the images its status reports and the pods themselves (for spreading). :class:`PodWork` is
one pending pod: for Eirini, one StatefulSet pod ``<set>-<ordinal>`` standing for one CF app
instance (§1.3, §1.4). :func:`assume` and :func:`forget` update a node when a pod is placed on it
or leaves it, so that the next scheduling cycle sees the change (§2.1, ``assume``).

Units: CPU in millicores, memory and ephemeral storage in decimal megabytes (Eirini requests
``<n>M``, §1.3), image sizes in megabytes. A request of 0 means "not set": filtering ignores it
and scoring counts the non-zero defaults of §2.3 instead. A pod is one container (Eirini's
``opi`` container; the 2019 staging pod's init containers do not count towards scoring).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simulator.kubernetes.constants import (
    DEFAULT_MAX_PODS,
    DEFAULT_TOLERATION_SECONDS,
    IMAGE_DEFAULT_TAG,
    LABEL_HOSTNAME,
    LABEL_ZONE,
    NO_EXECUTE,
    NODE_STATUS_MAX_IMAGES,
    TAINT_NOT_READY,
    TAINT_UNREACHABLE,
)

# §1.3: the labels Eirini puts on every app StatefulSet and pod; the first three are the selector.
LABEL_GUID = "cloudfoundry.org/guid"
LABEL_VERSION = "cloudfoundry.org/version"
LABEL_SOURCE_TYPE = "cloudfoundry.org/source_type"
SOURCE_TYPE_APP = "APP"
# Our own label carrying the CF app name, so that the simulator can group pods by app.
LABEL_APP_NAME = "cfviz/app"

OPERATOR_EQUAL = "Equal"
OPERATOR_EXISTS = "Exists"


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    value: str = ""
    effect: str = "NoSchedule"


@dataclass(frozen=True, slots=True)
class Toleration:
    """A pod's toleration; an empty key with ``Exists`` tolerates everything, an empty effect all effects."""

    key: str = ""
    operator: str = OPERATOR_EQUAL
    value: str = ""
    effect: str = ""
    toleration_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class Image:
    name: str
    size_mb: int


@dataclass(frozen=True, slots=True)
class PreferredTerm:
    """A preferred node-affinity term: ``weight`` if the node carries every label of ``labels``."""

    weight: int
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class SpreadConstraint:
    """A pod's ``topologySpreadConstraints`` entry; ``selector`` is a matchLabels selector."""

    max_skew: int
    topology_key: str
    when_unsatisfiable: str
    selector: Mapping[str, str]


# §3.7: what the DefaultTolerationSeconds admission plugin adds to every pod.
DEFAULT_TOLERATIONS = (
    Toleration(TAINT_NOT_READY, "Exists", "", NO_EXECUTE, DEFAULT_TOLERATION_SECONDS),
    Toleration(TAINT_UNREACHABLE, "Exists", "", NO_EXECUTE, DEFAULT_TOLERATION_SECONDS),
)


@dataclass(frozen=True, slots=True)
class PodWork:
    """One pending pod, as the scheduler sees it when it pops it from the queue.

    ``tolerations`` default to what admission gives every pod (:data:`DEFAULT_TOLERATIONS`).
    """

    name: str
    app: str
    ordinal: int
    cpu_milli: int = 0
    memory_mb: int = 0
    ephemeral_mb: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    # The owning StatefulSet's (or Service's, RC's, RS's) selector; empty for a pod without one.
    owner_selector: Mapping[str, str] = field(default_factory=dict)
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = DEFAULT_TOLERATIONS
    images: tuple[Image, ...] = ()
    priority: int = 0
    preferred_node_terms: tuple[PreferredTerm, ...] = ()
    spread_constraints: tuple[SpreadConstraint, ...] = ()

    @property
    def key(self) -> str:
        """The CF instance this pod stands for, ``app/index`` (§1.4: index = ordinal)."""
        return f"{self.app}/{self.ordinal}"


@dataclass(slots=True)
class PodOnNode:
    """A pod assumed or bound to a node; terminating pods still hold resources but do not spread."""

    name: str
    labels: Mapping[str, str]
    cpu_milli: int = 0
    memory_mb: int = 0
    ephemeral_mb: int = 0
    terminating: bool = False


@dataclass(slots=True)
class NodeState:
    """One node in the scheduler cache.

    ``requested_*`` are sums of real requests; ``pods_without_*_request`` count the pods whose
    request is unset, which scoring replaces by the non-zero defaults. ``images`` maps each image
    name in the node status to its size. ``pods`` lists the pods whose labels spreading counts;
    the ``requested_*`` sums may include pods not listed (system pods, say).
    """

    name: str
    zone: str
    allocatable_cpu_milli: int
    allocatable_memory_mb: int
    allocatable_ephemeral_mb: int
    allocatable_pods: int = DEFAULT_MAX_PODS
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False
    requested_cpu_milli: int = 0
    requested_memory_mb: int = 0
    requested_ephemeral_mb: int = 0
    pod_count: int = 0
    pods_without_cpu_request: int = 0
    pods_without_memory_request: int = 0
    images: dict[str, int] = field(default_factory=dict)
    pods: list[PodOnNode] = field(default_factory=list)


def node_labels(node: NodeState) -> dict[str, str]:
    """The node's labels with the well-known hostname label and, if the node has a zone, the zone label."""
    labels = dict(node.labels)
    labels[LABEL_HOSTNAME] = node.name
    if node.zone:
        labels[LABEL_ZONE] = node.zone
    return labels


def selector_matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """A matchLabels selector: every key present with the same value (an empty selector matches all)."""
    return all(labels.get(key) == value for key, value in selector.items())


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """``Toleration.ToleratesTaint`` (k8s.io/api core/v1)."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator == OPERATOR_EXISTS:
        return True
    return toleration.operator in ("", OPERATOR_EQUAL) and toleration.value == taint.value


def tolerated(tolerations: tuple[Toleration, ...], taint: Taint) -> bool:
    return any(tolerates(t, taint) for t in tolerations)


def normalized_image_name(name: str) -> str:
    """Image names without a tag are compared with ``:latest`` added (§2.3)."""
    if name.rfind(":") <= name.rfind("/"):
        return f"{name}:{IMAGE_DEFAULT_TAG}"
    return name


def reported_images(images: Mapping[str, int]) -> dict[str, int]:
    """What a node status lists: its 50 largest images (§3.2 ``nodeStatusMaxImages``).

    That the kubelet keeps the largest is not in the reference: it sorts its image list by size,
    largest first, before cutting it (``sliceutils.ByImageSize`` in the kubelet's image cache and
    ``setNodeStatusImages``). Equal sizes keep their order here.
    """
    largest = sorted(images.items(), key=lambda item: -item[1])[:NODE_STATUS_MAX_IMAGES]
    return dict(largest)


def matching_pod_count(node: NodeState, selector: Mapping[str, str]) -> int:
    """Pods on the node matched by ``selector``, leaving out terminating pods (spreading's count)."""
    if not selector:
        return 0
    # ``items() <=`` is selector_matches done by the dict views in C: this runs for every pod on
    # every node several times a cycle.
    wanted = selector.items()
    return sum(1 for p in node.pods if not p.terminating and wanted <= p.labels.items())


def assume(node: NodeState, pod: PodWork) -> None:
    """Put ``pod`` on ``node`` in the scheduler cache, so the next cycle sees its requests (§2.1)."""
    node.requested_cpu_milli += pod.cpu_milli
    node.requested_memory_mb += pod.memory_mb
    node.requested_ephemeral_mb += pod.ephemeral_mb
    node.pod_count += 1
    node.pods_without_cpu_request += int(pod.cpu_milli == 0)
    node.pods_without_memory_request += int(pod.memory_mb == 0)
    node.pods.append(PodOnNode(pod.name, dict(pod.labels), pod.cpu_milli, pod.memory_mb, pod.ephemeral_mb))


def forget(node: NodeState, pod_name: str) -> PodOnNode | None:
    """Take a pod off the node: it was deleted, or its binding failed (un-assume). Returns it, if found."""
    for position, placed in enumerate(node.pods):
        if placed.name == pod_name:
            del node.pods[position]
            node.requested_cpu_milli -= placed.cpu_milli
            node.requested_memory_mb -= placed.memory_mb
            node.requested_ephemeral_mb -= placed.ephemeral_mb
            node.pod_count -= 1
            node.pods_without_cpu_request -= int(placed.cpu_milli == 0)
            node.pods_without_memory_request -= int(placed.memory_mb == 0)
            return placed
    return None


def statefulset_pod(
    app: str,
    ordinal: int,
    *,
    guid: str | None = None,
    version: str = "v1",
    cpu_milli: int = 0,
    memory_mb: int = 0,
    ephemeral_mb: int = 0,
    images: tuple[Image, ...] = (),
    node_selector: Mapping[str, str] | None = None,
) -> PodWork:
    """An Eirini app pod ``<app>-<ordinal>``: the set's selector labels, owned by the set (§1.3).

    The pod name uses the app name for readability; Eirini's real set name is a sanitised
    app-space name plus a hash.
    """
    selector = {LABEL_GUID: guid or app, LABEL_VERSION: version, LABEL_SOURCE_TYPE: SOURCE_TYPE_APP}
    return PodWork(
        name=f"{app}-{ordinal}",
        app=app,
        ordinal=ordinal,
        cpu_milli=cpu_milli,
        memory_mb=memory_mb,
        ephemeral_mb=ephemeral_mb,
        labels={**selector, LABEL_APP_NAME: app},
        owner_selector=selector,
        node_selector=dict(node_selector or {}),
        images=images,
    )
