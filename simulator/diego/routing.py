"""Diego's route-emitter (diego.md §6.1).

It turns BBS ActualLRP events into ``router.register`` / ``router.unregister`` on NATS and
re-emits every registration every 20 s, after a start-up jitter of up to 20 % of that. Its table
is keyed by instance guid, as the real one keys endpoints by (instance guid, evacuating): an
instance that becomes an evacuating or suspect record keeps its registration (no churn), and its
replacement registers beside it (routingtable/endpoint.go, diego.md §6.1, §6.3).
NATS and gorouter themselves are :mod:`simulator.cf.gorouter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.cf.gorouter import Endpoint
from simulator.diego.constants import ROUTE_REGISTER_INTERVAL_S, ROUTE_REGISTER_JITTER
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


class RouteEmitter:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform
        # instance guid → (host, endpoint) as the emitter last registered it
        self.table: dict[str, tuple[str, Endpoint]] = {}

    def register(self, engine: Engine) -> None:
        for name in ("lrp_running", "lrp_stopped", "reemit"):
            engine.register(f"route_emitter.{name}", getattr(self, name))

    def start(self) -> None:
        jitter = self.p.engine.rng.uniform(0, ROUTE_REGISTER_JITTER * ROUTE_REGISTER_INTERVAL_S)
        self.p.engine.schedule(ROUTE_REGISTER_INTERVAL_S + jitter, "route_emitter.reemit")

    def lrp_running(self, key: str) -> None:
        lrp = self.p.actual.get(key)
        if (
            lrp is None
            or lrp.state != "RUNNING"
            or lrp.cell is None
            or lrp.address is None
            or lrp.instance_guid is None
        ):
            return
        host = self.p.apps[lrp.app].spec.hostname
        endpoint = Endpoint(instance=key, cell=lrp.cell, address=lrp.address, registered_at=self.p.now)
        self.table[lrp.instance_guid] = (host, endpoint)
        self.p.set_status("route-emitter", f"registering {key}")
        self.p.gorouter.publish_register("route-emitter", host, endpoint, lrp.app)

    def lrp_stopped(self, instance_guid: str) -> None:
        entry = self.table.pop(instance_guid, None)
        if entry is None:
            return
        host, endpoint = entry
        self.p.set_status("route-emitter", f"unregistering {endpoint.instance}")
        self.p.gorouter.publish_unregister("route-emitter", host, endpoint, endpoint.instance.split("/")[0])

    def reemit(self) -> None:
        if self.table:
            self.p.gorouter.publish_refresh("route-emitter", list(self.table.values()))
        self.p.engine.schedule(ROUTE_REGISTER_INTERVAL_S, "route_emitter.reemit")
