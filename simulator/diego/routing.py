"""Routing: the route-emitter, NATS and gorouter's routing table (diego.md §6).

The route-emitter turns BBS ActualLRP events into ``router.register`` / ``router.unregister``
messages on NATS, and re-emits every registration every 20 s (after a start-up jitter of up to
20 %). Gorouter keeps a table of host → endpoints and prunes endpoints not re-registered within
120 s, checking every 30 s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.diego.constants import (
    DROPLET_STALE_THRESHOLD_S,
    PRUNE_STALE_DROPLETS_INTERVAL_S,
    ROUTE_REGISTER_INTERVAL_S,
    ROUTE_REGISTER_JITTER,
)
from simulator.diego.state import Endpoint
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


class Routing:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform
        # The route-emitter's table: instance key → (host, endpoint).
        self.emitter: dict[str, tuple[str, Endpoint]] = {}
        # Gorouter's table: host → instance key → endpoint.
        self.table: dict[str, dict[str, Endpoint]] = {}

    def register(self, engine: Engine) -> None:
        for name in (
            "lrp_running",
            "lrp_stopped",
            "nats_relay",
            "gorouter_register",
            "gorouter_unregister",
            "reemit",
            "gorouter_refresh",
            "prune",
        ):
            engine.register(f"routing.{name}", getattr(self, name))

    def start(self) -> None:
        jitter = self.p.engine.rng.uniform(0, ROUTE_REGISTER_JITTER * ROUTE_REGISTER_INTERVAL_S)
        self.p.engine.schedule(ROUTE_REGISTER_INTERVAL_S + jitter, "routing.reemit")
        self.p.engine.schedule(PRUNE_STALE_DROPLETS_INTERVAL_S, "routing.prune")

    # -- route-emitter ------------------------------------------------------------------------

    def lrp_running(self, key: str) -> None:
        lrp = self.p.actual.get(key)
        if lrp is None or lrp.state != "RUNNING" or lrp.cell is None or lrp.address is None:
            return
        host = self.p.apps[lrp.app].spec.hostname
        endpoint = Endpoint(instance=key, cell=lrp.cell, address=lrp.address, registered_at=self.p.now)
        self.emitter[key] = (host, endpoint)
        self.p.set_status("route-emitter", f"registering {key}")
        label = f"router.register {host} → {lrp.address}"
        self.p.send(
            "route-emitter",
            "nats",
            label,
            "routing.nats_relay",
            label,
            "routing.gorouter_register",
            host,
            endpoint,
            instance=key,
            app=lrp.app,
            route=host,
        )

    def lrp_stopped(self, key: str) -> None:
        entry = self.emitter.pop(key, None)
        if entry is None:
            return
        host, endpoint = entry
        self.p.set_status("route-emitter", f"unregistering {key}")
        label = f"router.unregister {host} → {endpoint.address}"
        self.p.send(
            "route-emitter",
            "nats",
            label,
            "routing.nats_relay",
            label,
            "routing.gorouter_unregister",
            host,
            endpoint,
            instance=key,
            route=host,
        )

    def nats_relay(self, label: str, kind: str, host: str, endpoint: Endpoint | None) -> None:
        entities = {"instance": endpoint.instance, "route": host} if endpoint is not None else {}
        self.p.send("nats", "gorouter", label, kind, host, endpoint, **entities)

    def reemit(self) -> None:
        if self.emitter:
            label = f"router.register ×{len(self.emitter)} (periodic re-registration)"
            self.p.send(
                "route-emitter",
                "nats",
                label,
                "routing.nats_relay",
                label,
                "routing.gorouter_refresh",
                "",
                None,
            )
        self.p.engine.schedule(ROUTE_REGISTER_INTERVAL_S, "routing.reemit")

    # -- gorouter -----------------------------------------------------------------------------

    def gorouter_register(self, host: str, endpoint: Endpoint) -> None:
        endpoint.registered_at = self.p.now
        self.table.setdefault(host, {})[endpoint.instance] = endpoint
        self.p.set_status("gorouter", f"{sum(len(e) for e in self.table.values())} endpoint(s)")
        self._emit_route(host)

    def gorouter_unregister(self, host: str, endpoint: Endpoint) -> None:
        endpoints = self.table.get(host, {})
        current = endpoints.get(endpoint.instance)
        if current is None or current.address != endpoint.address:
            return
        del endpoints[endpoint.instance]
        self.p.set_status("gorouter", f"{sum(len(e) for e in self.table.values())} endpoint(s)")
        self._emit_route(host)

    def gorouter_refresh(self, host: str, endpoint: Endpoint | None) -> None:
        # A periodic re-registration renews every route the emitter knows.
        for key, (known_host, known) in self.emitter.items():
            endpoints = self.table.setdefault(known_host, {})
            if key in endpoints:
                endpoints[key].registered_at = self.p.now
            else:
                self.gorouter_register(
                    known_host, Endpoint(known.instance, known.cell, known.address, self.p.now)
                )

    def prune(self) -> None:
        for host, endpoints in self.table.items():
            stale = [
                k for k, e in endpoints.items() if self.p.now - e.registered_at > DROPLET_STALE_THRESHOLD_S
            ]
            for key in stale:
                del endpoints[key]
            if stale:
                self._emit_route(host)
        self.p.engine.schedule(PRUNE_STALE_DROPLETS_INTERVAL_S, "routing.prune")

    def _emit_route(self, host: str) -> None:
        endpoints = self.table.get(host, {})
        app = next((a.spec.name for a in self.p.apps.values() if a.spec.hostname == host), "")
        self.p.log.state(
            self.p.now,
            "route",
            host,
            "registered" if endpoints else "unregistered",
            app=app,
            endpoints=[
                {"instance": e.instance, "cell": e.cell, "address": e.address}
                for e in sorted(endpoints.values(), key=lambda e: e.instance)
            ],
        )

    def routable_count(self, app: str) -> int:
        host = self.p.apps[app].spec.hostname
        return len(self.table.get(host, {}))
