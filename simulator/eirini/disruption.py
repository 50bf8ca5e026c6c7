"""PodDisruptionBudgets and the API server's Eviction subresource (§3.6, §1.3).

Eirini 2019 created no PDBs, so every eviction was allowed. From 2020 Eirini gave every app with
more than one instance a PDB (``minAvailable: 1``, later 50 %), and none to single-instance apps
(``k8s/pdb/update.go``), so that a drain never hangs on them. cfviz models the option as a
``minAvailable`` count (``pdb_min_available`` in the Eirini settings; 0 is 2019: no PDBs).

An accepted eviction is a graceful delete (``ApiServer.pod_deleting``); a refused one is answered
429 and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.eirini.state import Pod
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

# §3.6: the API server's answer to an eviction a PDB forbids, and the reason kubectl prints.
TOO_MANY_REQUESTS = 429
EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."


def has_budget(min_available: int, replicas: int) -> bool:
    """Whether Eirini gives the app a PDB: the option is on and the app has more than one instance."""
    return min_available > 0 and replicas > 1


def eviction_allowed(healthy: int, min_available: int) -> bool:
    """The disruption controller's ``disruptionsAllowed = currentHealthy − minAvailable`` is above 0.

    ``healthy`` counts the budget's Ready pods that are not being deleted; the pod to evict counts
    only if it is one of them (so evicting an unready pod needs the same headroom).
    """
    return healthy - min_available > 0


class EvictionApi:
    """``POST /api/v1/namespaces/eirini/pods/<pod>/eviction``, served by the API server."""

    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        engine.register("eviction.arrive", self.arrive)

    def evict(self, src: str, pod_name: str, reply: str, *args: Any) -> None:
        """POST an Eviction for the pod; the answer (its HTTP code) goes to ``reply(*args, code)``."""
        pod = self.p.pods.get(pod_name)
        self.p.send(
            src,
            "api-server",
            f"POST Pod {pod_name}/eviction",
            "eviction.arrive",
            src,
            pod_name,
            reply,
            args,
            instance=pod.instance if pod else None,
        )

    def arrive(self, src: str, pod_name: str, reply: str, args: tuple[Any, ...]) -> None:
        """Allowed unless the pod's PodDisruptionBudget would drop below minAvailable (429)."""
        pod = self.p.pods.get(pod_name)
        if pod is None:
            code, label = 404, f"404 Pod {pod_name} not found"
        elif not pod.deleting and not self._allowed(pod):
            code, label = TOO_MANY_REQUESTS, f"429 Too Many Requests: {EVICTION_REFUSED}"
        else:
            code, label = 201, f"201 Eviction of {pod_name} accepted"
        self.p.send(
            "api-server",
            src,
            label,
            reply,
            *args,
            code,
            delay=self.p.duration(self.p.timing.api_latency_s) + self.p.latency(),
            instance=pod.instance if pod else None,
        )
        if code == 201:
            self.p.api.pod_deleting(pod_name)

    def _allowed(self, pod: Pod) -> bool:
        sts = self.p.statefulsets.get(pod.owner)
        if sts is None:
            return True  # staging pods belong to Jobs and have no budget
        min_available = self.p.pdb_min_available
        if not has_budget(min_available, sts.replicas):
            return True
        healthy = sum(1 for p in self.p.pods_of(sts.name) if p.ready and not p.deleting)
        return eviction_allowed(healthy, min_available)
