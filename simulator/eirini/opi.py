"""Eirini's OPI (2019): Cloud Controller's scheduler, in front of the Kubernetes API (§1.1–§1.6).

Cloud Controller calls OPI's REST API; OPI turns staging into a Kubernetes Job and an app into a
StatefulSet (pod management Parallel, ordinals as instance indices), and calls Cloud Controller
back when staging completes.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from simulator.cf.state import App
from simulator.eirini.constants import DEFAULT_DISK_LIMIT_MB, REGISTRY_HOST, cpu_request_millis
from simulator.eirini.state import Job, StatefulSet
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform


def statefulset_name(app: App) -> str:
    """<app name>-<first 10 hex of sha256(guid-version)> (k8s/utils/names.go, §1.3)."""
    digest = hashlib.sha256(f"{app.guid}-v1".encode()).hexdigest()[:10]
    return f"{app.spec.name[:40]}-{digest}"


def staging_job_name(app: str) -> str:
    return f"staging-{app}"


class EiriniClient:
    """Cloud Controller's side: the same four requests Diego gets, to OPI's REST API (§1.2)."""

    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def stage(self, app: App) -> None:
        name = app.spec.name
        self.p.send("cc", "eirini", f"POST /stage/{staging_job_name(name)}", "opi.stage", name, app=name)

    def desire(self, app: App) -> None:
        name = app.spec.name
        self.p.send(
            "cc",
            "eirini",
            f"PUT /apps/{app.guid} ({app.desired} instances, {app.spec.memory_mb} MB each)",
            "opi.desire",
            name,
            app=name,
        )

    def update_instances(self, app: App, instances: int) -> None:
        name = app.spec.name
        self.p.send(
            "cc",
            "eirini",
            f"POST /apps/{app.guid} (instances: {instances})",
            "opi.update",
            name,
            instances,
            app=name,
        )

    def stop(self, app: App) -> None:
        name = app.spec.name
        self.p.send("cc", "eirini", f"PUT /apps/{app.guid}/v1/stop", "opi.stop", name, app=name)


class OPI:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in ("stage", "staging_completed", "desire", "update", "stop"):
            engine.register(f"opi.{name}", getattr(self, name))

    def stage(self, app: str) -> None:
        job = Job(name=staging_job_name(app), app=app)
        self.p.set_status("eirini", f"staging {app}")
        self.p.api.create_job("eirini", job)

    def staging_completed(self, app: str) -> None:
        """The uploader's PUT /stage/:guid/completed: call CC back, then delete the Job (§1.6)."""
        job = staging_job_name(app)
        self.p.send(
            "eirini",
            "cc",
            f"POST /internal/v3/staging/{job}/build_completed",
            "cc.build_completed",
            app,
            False,
            "",
            app=app,
        )
        self.p.api.delete_job("eirini", job)
        self.p.set_status("eirini", "idle")

    def desire(self, app_name: str) -> None:
        app = self.p.apps[app_name]
        spec = app.spec
        name = statefulset_name(app)
        sts = StatefulSet(
            name=name,
            app=app_name,
            replicas=app.desired,
            image=f"{REGISTRY_HOST}/cloudfoundry/{app.guid}:{hashlib.sha256(app.guid.encode()).hexdigest()[:8]}",
            droplet_mb=spec.droplet_mb,
            memory_mb=spec.memory_mb,
            disk_mb=spec.disk_mb or DEFAULT_DISK_LIMIT_MB,
            cpu_millis=cpu_request_millis(spec.memory_mb),
            # The rootfs-version label comes from OPI's config, rootfs_version (§1.3, §1.10 step 5).
            rootfs_version=self.p.rootfs_version,
        )
        self.p.set_status("eirini", f"desiring {app_name}")
        self.p.api.create_statefulset("eirini", sts)

    def update(self, app: str, instances: int) -> None:
        name = self.p.statefulset_of(app)
        if name is not None:
            self.p.api.scale_statefulset("eirini", name, instances)

    def stop(self, app: str) -> None:
        name = self.p.statefulset_of(app)
        if name is not None:
            self.p.api.delete_statefulset("eirini", name)
