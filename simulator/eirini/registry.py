"""bits-service: the blobstore front-end and registry that serves droplets as images (§1.7).

A shared service with a limited number of requests served at once and a bandwidth per request
(scenario parameters). Every droplet upload from staging and every image pull from a node
queues here, which is why staging and start-up slow down as parallel pushes grow: the
bottleneck the talk reports for Eirini at scale. A manifest GET also re-tars the droplet.

Every manifest names the eirinifs layer whose digest bits-service computed when it started, so a
new rootfs needs a restart (§1.7, §1.10): the new pod starts, hashes the new ``eirinifs.tar``
(cfviz takes the rootfs size at the re-packing rate) and takes over once Ready; the old one
serves meanwhile (a Deployment's rolling update keeps one pod available).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.eirini.constants import DEFAULT_ROOTFS_VERSION
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
        # The eirinifs version in every manifest served, and the one a restarting pod will serve.
        self.rootfs_version = DEFAULT_ROOTFS_VERSION
        self.restarting_with: str | None = None

    def register(self, engine: Engine) -> None:
        engine.register("registry.arrive", self.arrive)
        engine.register("registry.done", self.done)
        engine.register("registry.restart", self.restart)
        engine.register("registry.restarted", self.restarted)

    @property
    def ready(self) -> bool:
        """The bits Deployment is Ready with its latest spec (what the rootfs patcher waits for)."""
        return self.restarting_with is None

    def restart(self, version: str) -> None:
        """The bits Deployment changed (helm upgrade): a new pod starts with the new eirinifs."""
        self.restarting_with = version
        settings = self.p.scenario.eirini
        startup = settings.container_start_s + settings.rootfs_layer_mb / settings.registry_repack_mb_s
        self.p.set_status("registry", f"restarting with eirinifs {version}: hashing eirinifs.tar")
        self.p.engine.schedule(self.p.duration(startup), "registry.restarted", version)

    def restarted(self, version: str) -> None:
        if self.restarting_with != version:
            return  # a later upgrade superseded this one
        self.restarting_with = None
        self.rootfs_version = version
        self._status()

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
        restarting = f"; restarting with eirinifs {self.restarting_with}" if self.restarting_with else ""
        self.p.set_status(
            "registry",
            f"{self.active}/{settings.registry_concurrency} busy, {len(self.queue)} waiting{restarting}",
        )
