"""Eirini's crash reporter (2019): a pod informer inside OPI that tells Cloud Controller (§1.9).

It reports when the app container has terminated with a non-zero exit code or waits in
CrashLoopBackOff: process guid, instance (the pod name), index, exit description and
``CrashCount`` = the pod's ``RestartCount``, sent to Cloud Controller's AppCrashed endpoint.
Eirini and Cloud Controller only observe: the kubelet restarts the container in place (§3.3).
Cloud Controller records the crash as an app event and shows it in ``cf logs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform


class CrashReporter:
    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform
        self.reported = 0

    def register(self, engine: Engine) -> None:
        for name in ("pod_crashed", "app_crashed"):
            engine.register(f"crash.{name}", getattr(self, name))

    def pod_crashed(self, pod_name: str, crash_count: int) -> None:
        """The informer saw the crash: one AppCrashed request per report, no dedup in 2019."""
        pod = self.p.pods.get(pod_name)
        if pod is None:
            return
        app = self.p.apps[pod.app]
        self.reported += 1
        self.p.set_status("eirini", f"reporting crash of {pod.instance} ({self.reported} so far)")
        self.p.send(
            "eirini",
            "cc",
            f"POST /internal/v4/apps/{app.guid}/crashed (AppCrashed {pod.instance}, crash count {crash_count})",
            "crash.app_crashed",
            pod.app,
            pod.ordinal,
            pod.name,
            pod.node,
            crash_count,
            pod.last_exit,
            app=pod.app,
            instance=pod.instance,
        )

    def app_crashed(
        self,
        app_name: str,
        index: int,
        pod_name: str,
        node: str | None,
        crash_count: int,
        exit_description: str,
    ) -> None:
        """Cloud Controller records the app event; ``cf logs`` shows it from API/0."""
        app = self.p.apps[app_name]
        self.p.app_log(
            app_name,
            "API/0",
            "cc",
            f"App instance exited with guid {app.guid} payload: "
            f'{{"instance"=>"{pod_name}", "index"=>{index}, "cell_id"=>"{node}", "reason"=>"CRASHED", '
            f'"exit_description"=>"{exit_description}", "crash_count"=>{crash_count}}}',
        )
        self.p.app_log(app_name, "API/0", "cc", 'Process has crashed with type: "web"')
