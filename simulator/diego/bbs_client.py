"""Cloud Controller's side of Diego: staging as a Task, the app as a DesiredLRP (diego.md §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.cf.state import App
from simulator.diego.constants import MINIMUM_STAGING_DISK_MB, MINIMUM_STAGING_MEMORY_MB
from simulator.diego.state import DesiredLRP, Task

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


def staging_task_guid(app: str) -> str:
    return f"staging-{app}"


class BBSClient:
    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform

    def stage(self, app: App) -> None:
        spec = app.spec
        guid = staging_task_guid(spec.name)
        task = Task(
            guid=guid,
            app=spec.name,
            # Staging gets at least Cloud Controller's minimum staging memory and disk.
            memory_mb=max(spec.memory_mb, MINIMUM_STAGING_MEMORY_MB),
            disk_mb=max(spec.disk_mb, MINIMUM_STAGING_DISK_MB),
            stack=spec.stack,
            placement_tags=spec.placement_tags,
            since=self.p.now,
            created_at=self.p.now,
        )
        self.p.send(
            "cc",
            "bbs",
            f"DesireTask {guid} ({task.memory_mb} MB, preloaded:{spec.stack})",
            "bbs.desire_task",
            task,
            app=spec.name,
            task=guid,
        )

    def desire(self, app: App) -> None:
        spec = app.spec
        desired = DesiredLRP(
            app=spec.name,
            instances=app.desired,
            memory_mb=spec.memory_mb,
            disk_mb=spec.disk_mb,
            stack=spec.stack,
            placement_tags=spec.placement_tags,
        )
        self.p.send(
            "cc",
            "bbs",
            f"DesireLRP {spec.name} ({app.desired} instances, {spec.memory_mb} MB each)",
            "bbs.desire_lrp",
            desired,
            app=spec.name,
        )

    def update_instances(self, app: App, instances: int) -> None:
        name = app.spec.name
        self.p.send(
            "cc",
            "bbs",
            f"UpdateDesiredLRP {name} (instances: {instances})",
            "bbs.update_desired",
            name,
            instances,
            app=name,
        )

    def stop(self, app: App) -> None:
        name = app.spec.name
        self.p.send("cc", "bbs", f"RemoveDesiredLRP {name}", "bbs.remove_desired", name, app=name)
