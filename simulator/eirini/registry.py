"""bits-service: the blobstore front-end and registry that serves droplets as images (§1.7).

A shared service with a limited number of requests served at once and a bandwidth per request
(scenario parameters). Every droplet upload from staging and every image pull from a node
queues here, which is why staging and start-up slow down as parallel pushes grow: the
bottleneck the talk reports for Eirini at scale. A manifest GET also re-tars the droplet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform


@dataclass(slots=True)
class Transfer:
    client: str  # the component asking, e.g. "runtime@node-1"
    label: str
    size_mb: float
    extra_s: float  # fixed work on top of the transfer, e.g. re-packing a droplet
    then: str  # handler to run when it is done
    args: tuple[Any, ...]
    entities: dict[str, Any] = field(default_factory=dict)
    queued_at: float = 0.0


class Registry:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform
        self.active = 0
        self.queue: list[Transfer] = []
        self.served = 0
        self.longest_wait_s = 0.0

    def register(self, engine: Engine) -> None:
        engine.register("registry.arrive", self.arrive)
        engine.register("registry.done", self.done)

    def request(self, transfer: Transfer) -> None:
        """A client sends a request; it waits for a free slot, then takes size/bandwidth."""
        self.p.send(
            transfer.client, "registry", transfer.label, "registry.arrive", transfer, **transfer.entities
        )

    def arrive(self, transfer: Transfer) -> None:
        transfer.queued_at = self.p.now
        settings = self.p.scenario.eirini
        if self.active < settings.registry_concurrency:
            self._serve(transfer)
        else:
            self.queue.append(transfer)
        self._status()

    def _serve(self, transfer: Transfer) -> None:
        settings = self.p.scenario.eirini
        self.active += 1
        self.longest_wait_s = max(self.longest_wait_s, self.p.now - transfer.queued_at)
        busy = transfer.extra_s + transfer.size_mb / settings.registry_bandwidth_mb_s
        self.p.engine.schedule(self.p.duration(busy), "registry.done", transfer)

    def done(self, transfer: Transfer) -> None:
        self.active -= 1
        self.served += 1
        self.p.send(
            "registry",
            transfer.client,
            f"{transfer.label.split(' ', 1)[0]} done ({transfer.size_mb:g} MB)",
            transfer.then,
            *transfer.args,
            **transfer.entities,
        )
        if self.queue:
            self._serve(self.queue.pop(0))
        self._status()

    def _status(self) -> None:
        settings = self.p.scenario.eirini
        self.p.set_status(
            "registry",
            f"{self.active}/{settings.registry_concurrency} busy, {len(self.queue)} waiting",
        )
