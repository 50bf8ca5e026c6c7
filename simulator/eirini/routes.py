"""Eirini's route collector (2019): pod IPs straight to gorouter over NATS (§1.8).

Its pod informer registers a pod's route when the pod turns Ready and unregisters it when the
pod stops being Ready or is being deleted; a 30 s ticker re-registers every Ready pod so that
gorouter does not prune them. There is no Kubernetes Service in the path, so kube-proxy plays
no part in routing Cloud Foundry apps on Eirini.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.cf.gorouter import Endpoint
from simulator.eirini.constants import APP_PORT, ROUTE_COLLECTOR_INTERVAL_S
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform


class RouteCollector:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform
        # instance key → (host, endpoint) as last registered
        self.registered: dict[str, tuple[str, Endpoint]] = {}

    def register(self, engine: Engine) -> None:
        for name in ("pod_changed", "pod_removed", "tick"):
            engine.register(f"routes.{name}", getattr(self, name))

    def start(self) -> None:
        self.p.engine.schedule(ROUTE_COLLECTOR_INTERVAL_S, "routes.tick")

    def pod_changed(self, pod_name: str) -> None:
        pod = self.p.pods.get(pod_name)
        if pod is None or pod.kind != "app":
            return
        key = pod.instance
        if pod.ready and not pod.deleting and pod.ip and pod.node:
            if key in self.registered:
                return
            host = self.p.apps[pod.app].spec.hostname
            endpoint = Endpoint(key, pod.node, f"{pod.ip}:{APP_PORT}", self.p.now)
            self.registered[key] = (host, endpoint)
            self.p.set_status("route-collector", f"registering {key}")
            self.p.gorouter.publish_register("route-collector", host, endpoint, pod.app)
        else:
            self._unregister(key, pod.app)

    def pod_removed(self, pod_name: str, instance: str) -> None:
        self._unregister(instance, instance.split("/")[0])

    def _unregister(self, key: str, app: str) -> None:
        entry = self.registered.pop(key, None)
        if entry is not None:
            host, endpoint = entry
            self.p.set_status("route-collector", f"unregistering {key}")
            self.p.gorouter.publish_unregister("route-collector", host, endpoint, app)

    def tick(self) -> None:
        if self.registered:
            self.p.gorouter.publish_refresh("route-collector", list(self.registered.values()))
        self.p.engine.schedule(ROUTE_COLLECTOR_INTERVAL_S, "routes.tick")
