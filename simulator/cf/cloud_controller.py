"""The developer's side of ``cf push``: the cf CLI, UAA and Cloud Controller, on any scheduler.

Follows talk.md §5 and diego.md §5: log in through UAA, create the app, upload its bits to the
blobstore, have the scheduler stage it and, once staging calls back with the droplet, desire the
app's instances. The CLI polls Cloud Controller while it waits, as ``cf push`` does. What Cloud
Controller says to the scheduler (Diego's BBS or Eirini) is the platform's
:class:`SchedulerClient`; everything else is the same on both platforms.
"""

from __future__ import annotations

from typing import Protocol

from simulator.cf.platform import Platform
from simulator.cf.state import App
from simulator.engine import Engine
from simulator.scenario import Action


class SchedulerClient(Protocol):
    """How Cloud Controller asks the platform's scheduler to stage, run, scale and stop an app."""

    def stage(self, app: App) -> None: ...

    def desire(self, app: App) -> None: ...

    def update_instances(self, app: App, instances: int) -> None: ...

    def stop(self, app: App) -> None: ...


class CloudController:
    def __init__(self, platform: Platform, scheduler: SchedulerClient) -> None:
        self.p = platform
        self.scheduler = scheduler
        self.logged_in = False

    def register(self, engine: Engine) -> None:
        for name in (
            "login",
            "token",
            "create_app",
            "app_created",
            "upload_package",
            "package_stored",
            "package_ready",
            "create_build",
            "build_created",
            "build_completed",
            "poll",
            "poll_received",
            "poll_reply",
            "scale",
            "stop",
            "reply",
        ):
            engine.register(f"cc.{name}", getattr(self, name))

    def _app(self, name: str) -> App:
        return self.p.apps[name]

    # -- the developer's commands ----------------------------------------------------------------

    def command(self, action: Action) -> None:
        """The developer runs ``cf push``, ``cf scale`` or ``cf stop``."""
        app = self._app(action.app)
        app.pending_actions += 1
        self.p.set_status("cf", action.describe())
        if action.action == "push":
            if self.logged_in:
                self.create_or_update(action.app)
            else:
                self.p.send("cf", "uaa", "POST /oauth/token (cf login)", "cc.login", action.app)
        elif action.action == "scale":
            self.p.send(
                "cf",
                "cc",
                f"POST /v3/apps/{app.guid}/processes/web/actions/scale (instances: {action.instances})",
                "cc.scale",
                action.app,
                action.instances,
                app=action.app,
            )
        elif action.action == "stop":
            self.p.send(
                "cf", "cc", f"POST /v3/apps/{app.guid}/actions/stop", "cc.stop", action.app, app=action.app
            )

    def login(self, app: str) -> None:
        self.p.send(
            "uaa",
            "cf",
            "200 access token (bearer)",
            "cc.token",
            app,
            delay=self.p.duration(self.p.timing.api_latency_s) + self.p.latency(),
        )

    def token(self, app: str) -> None:
        self.logged_in = True
        self.create_or_update(app)

    def create_or_update(self, app: str) -> None:
        self.p.send("cf", "cc", f"POST /v3/apps (name: {app})", "cc.create_app", app, app=app)

    def create_app(self, name: str) -> None:
        app = self._app(name)
        app.pending_actions -= 1
        app.pushed_at = self.p.now
        app.state = "PUSHING"
        app.cli_waiting = True
        self.p.set_status("cc", f"creating app {name}")
        self.p.app_log(name, "API/0", "cc", f"Created app with guid {app.guid}")
        self.p.emit_app(app)
        self.p.send(
            "cc",
            "cf",
            f"201 Created app {name}",
            "cc.app_created",
            name,
            delay=self.p.duration(self.p.timing.api_latency_s) + self.p.latency(),
            app=name,
        )

    def app_created(self, name: str) -> None:
        spec = self._app(name).spec
        upload = spec.package_mb / self.p.timing.upload_bandwidth_mb_s
        self.p.send(
            "cf",
            "cc",
            f"POST /v3/packages/upload ({spec.package_mb:g} MB of app bits)",
            "cc.upload_package",
            name,
            delay=self.p.duration(upload) + self.p.latency(),
            app=name,
        )

    def upload_package(self, name: str) -> None:
        spec = self._app(name).spec
        self.p.set_status("cc", f"storing package of {name}")
        self.p.send(
            "cc",
            "blobstore",
            f"PUT /cc-packages/{self._app(name).guid} ({spec.package_mb:g} MB)",
            "cc.package_stored",
            name,
            delay=self.p.duration(spec.package_mb / self.p.timing.blobstore_bandwidth_mb_s),
            app=name,
        )

    def package_stored(self, name: str) -> None:
        self.p.send("blobstore", "cc", "201 package stored", "cc.package_ready", name, app=name)

    def package_ready(self, name: str) -> None:
        self.p.send("cc", "cf", "200 package READY", "cc.reply", name, app=name)
        self.p.engine.schedule(self.p.latency() * 2, "cc.create_build", name)

    def create_build(self, name: str) -> None:
        # The CLI asks for the build once it has seen the package ready.
        self.p.send("cf", "cc", f"POST /v3/builds (stage {name})", "cc.build_created", name, app=name)

    def build_created(self, name: str) -> None:
        app = self._app(name)
        app.state = "STAGING"
        self.p.emit_app(app)
        self.p.set_status("cc", f"staging {name}")
        self.p.app_log(name, "API/0", "cc", f"Creating build for app with guid {app.guid}")
        self.scheduler.stage(app)
        self.p.send("cc", "cf", "201 build STAGING", "cc.reply", name, app=name)
        self.p.engine.schedule(self.p.timing.cli_poll_interval_s, "cc.poll", name)

    def reply(self, name: str) -> None:
        """A reply the CLI only reads; nothing follows from it."""

    # -- the CLI waits ------------------------------------------------------------------------

    def poll(self, name: str) -> None:
        app = self._app(name)
        if not app.cli_waiting:
            return
        label = (
            f"GET /v3/builds (state of {name}'s build)"
            if app.state == "STAGING"
            else f"GET /v3/processes/{app.guid}/stats"
        )
        self.p.send("cf", "cc", label, "cc.poll_received", name, app=name)

    def poll_received(self, name: str) -> None:
        app = self._app(name)
        if app.state == "STAGING":
            answer = "200 build STAGING"
        elif app.state == "STAGING_FAILED":
            answer = "200 build FAILED"
        else:
            running = self.running_count(name)
            answer = f"200 {running} of {app.desired} instances running"
        self.p.send("cc", "cf", answer, "cc.poll_reply", name, app=name)

    def poll_reply(self, name: str) -> None:
        app = self._app(name)
        if app.state == "STAGING_FAILED":
            app.cli_waiting = False
            self.p.set_status("cf", f"cf push {name}: staging failed")
        elif app.state == "RUNNING" and self.running_count(name) >= app.desired:
            app.cli_waiting = False
            self.p.set_status("cf", f"cf push {name}: {app.desired}/{app.desired} running")
        else:
            self.p.engine.schedule(self.p.timing.cli_poll_interval_s, "cc.poll", name)

    def running_count(self, name: str) -> int:
        return self.p.running_count(name)

    # -- staging result and later changes -----------------------------------------------------

    def build_completed(self, name: str, failed: bool, reason: str) -> None:
        """Staging's completion callback (diego.md §5 step 5–6; kubernetes-eirini.md §1.6)."""
        app = self._app(name)
        if failed:
            app.state = "STAGING_FAILED"
            self.p.app_log(name, "API/0", "cc", f"Staging failed: {reason}")
            self.p.emit_app(app)
            self.p.set_status("cc", "idle")
            return
        app.staged = True
        app.state = "STARTING"
        self.p.app_log(name, "API/0", "cc", f'Updated app with guid {app.guid} ({{"state"=>"STARTED"}})')
        self.p.emit_app(app)
        self.p.set_status("cc", f"starting {name}")
        self.scheduler.desire(app)

    def scale(self, name: str, instances: int) -> None:
        app = self._app(name)
        app.pending_actions -= 1
        if app.state == "NEW":
            self.p.send("cc", "cf", f"404 App {name} not found", "cc.reply", name, app=name)
            return
        app.desired = instances
        self.p.app_log(name, "API/0", "cc", f'Updated process: "web" ({{"instances"=>{instances}}})')
        self.p.send("cc", "cf", "202 scaling", "cc.reply", name, app=name)
        if app.staged and app.state != "STOPPED":
            app.state = "STARTING" if self.running_count(name) < instances else "RUNNING"
            self.p.emit_app(app)
            self.scheduler.update_instances(app, instances)

    def stop(self, name: str) -> None:
        app = self._app(name)
        app.pending_actions -= 1
        if app.state == "NEW":
            self.p.send("cc", "cf", f"404 App {name} not found", "cc.reply", name, app=name)
            return
        app.cli_waiting = False
        app.state = "STOPPED"
        self.p.app_log(name, "API/0", "cc", f'Updated app with guid {app.guid} ({{"state"=>"STOPPED"}})')
        self.p.emit_app(app)
        self.p.send("cc", "cf", "200 app STOPPED", "cc.reply", name, app=name)
        if app.staged:
            self.scheduler.stop(app)

    def instance_running_changed(self, name: str) -> None:
        """Keep the app's state in step with its instances (called by the scheduler side)."""
        app = self._app(name)
        if app.state not in ("STARTING", "RUNNING"):
            self.p.emit_app(app)
            return
        running = self.running_count(name)
        if running > 0 and app.first_running_at is None:
            app.first_running_at = self.p.now
        state = "RUNNING" if running >= app.desired else "STARTING"
        if state == "RUNNING" and app.all_running_at is None:
            app.all_running_at = self.p.now
        app.state = state
        self.p.emit_app(app)
