"""NATS and gorouter's routing table, the same on every platform (diego.md §6.2).

A route source (Diego's route-emitter, Eirini's route collector) publishes ``router.register``
and ``router.unregister`` on NATS; gorouter keeps host → endpoints, and prunes an endpoint that
was not registered again within 120 s, checking every 30 s. An app is routable while its host
has at least one endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.cf.platform import Platform

# gorouter/config/config.go defaults (diego.md §6.2; kubernetes-eirini.md §1.8).
DROPLET_STALE_THRESHOLD_S = 120.0
PRUNE_STALE_DROPLETS_INTERVAL_S = 30.0


@dataclass(slots=True)
class Endpoint:
    instance: str
    cell: str
    address: str
    registered_at: float


class Gorouter:
    def __init__(self, platform: Platform) -> None:
        self.p = platform
        # host → backend address → endpoint (one instance can briefly have two: evacuation)
        self.table: dict[str, dict[str, Endpoint]] = {}

    def register(self, engine: Engine) -> None:
        for name in ("relay", "add", "remove", "refresh", "prune"):
            engine.register(f"gorouter.{name}", getattr(self, name))

    def start(self) -> None:
        self.p.engine.schedule(PRUNE_STALE_DROPLETS_INTERVAL_S, "gorouter.prune")

    # -- what route sources call --------------------------------------------------------------

    def publish_register(self, source: str, host: str, endpoint: Endpoint, app: str) -> None:
        label = f"router.register {host} → {endpoint.address}"
        self._publish(source, label, "gorouter.add", host, endpoint, app)

    def publish_unregister(self, source: str, host: str, endpoint: Endpoint, app: str) -> None:
        label = f"router.unregister {host} → {endpoint.address}"
        self._publish(source, label, "gorouter.remove", host, endpoint, app)

    def publish_refresh(self, source: str, endpoints: list[tuple[str, Endpoint]]) -> None:
        """A periodic re-registration of every route the source knows."""
        label = f"router.register ×{len(endpoints)} (periodic re-registration)"
        self.p.send(source, "nats", label, "gorouter.relay", label, "gorouter.refresh", "", endpoints)

    def _publish(self, source: str, label: str, kind: str, host: str, endpoint: Endpoint, app: str) -> None:
        self.p.send(
            source,
            "nats",
            label,
            "gorouter.relay",
            label,
            kind,
            host,
            endpoint,
            instance=endpoint.instance,
            app=app,
            route=host,
        )

    # -- NATS and gorouter ------------------------------------------------------------------

    def relay(self, label: str, kind: str, host: str, payload: Endpoint | list[tuple[str, Endpoint]]) -> None:
        entities = {"instance": payload.instance, "route": host} if isinstance(payload, Endpoint) else {}
        self.p.send("nats", "gorouter", label, kind, host, payload, **entities)

    def add(self, host: str, endpoint: Endpoint) -> None:
        self.table.setdefault(host, {})[endpoint.address] = Endpoint(
            endpoint.instance, endpoint.cell, endpoint.address, self.p.now
        )
        self._changed(host)

    def remove(self, host: str, endpoint: Endpoint) -> None:
        if self.table.get(host, {}).pop(endpoint.address, None) is not None:
            self._changed(host)

    def refresh(self, host: str, endpoints: list[tuple[str, Endpoint]]) -> None:
        for known_host, known in endpoints:
            current = self.table.get(known_host, {}).get(known.address)
            if current is not None:
                current.registered_at = self.p.now
            else:
                self.add(known_host, known)

    def prune(self) -> None:
        for host, endpoints in self.table.items():
            stale = [
                k for k, e in endpoints.items() if self.p.now - e.registered_at > DROPLET_STALE_THRESHOLD_S
            ]
            for key in stale:
                del endpoints[key]
            if stale:
                self._changed(host)
        self.p.engine.schedule(PRUNE_STALE_DROPLETS_INTERVAL_S, "gorouter.prune")

    def _changed(self, host: str) -> None:
        endpoints = self.table.get(host, {})
        self.p.set_status("gorouter", f"{sum(len(e) for e in self.table.values())} endpoint(s)")
        app = next((a.spec.name for a in self.p.apps.values() if a.spec.hostname == host), "")
        self.p.log.state(
            self.p.now,
            "route",
            host,
            "registered" if endpoints else "unregistered",
            app=app,
            endpoints=[
                {"instance": e.instance, "cell": e.cell, "address": e.address}
                for e in sorted(endpoints.values(), key=lambda e: (e.instance, e.address))
            ],
        )

    def routable_count(self, app: str, serving: set[str] | None = None) -> int:
        """The app's endpoints in the table; with ``serving`` (live cells), only those on them."""
        endpoints = self.table.get(self.p.apps[app].spec.hostname, {}).values()
        return sum(1 for e in endpoints if serving is None or e.cell in serving)
