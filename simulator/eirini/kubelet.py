"""A node's kubelet and container runtime (§3.1–§3.4, §3.8).

The kubelet sees a pod bound to its node, pulls its image (one pull at a time per node; under
``imagePullPolicy: Always`` every start asks bits-service for the manifest, and only layers the
node lacks are downloaded: the shared eirinifs rootfs once per node, each app's droplet once per
node), asks the runtime to start the container, then probes it: readiness every 10 s from the
start, liveness every 10 s after the health-check timeout, restarting a failing container in
place with CrashLoopBackOff. A crashing app (the scenario's crash pattern, or a ``crash`` action)
exits with an error and is restarted the same way. What a staging pod's containers do is
:mod:`simulator.eirini.staging`.

A node that is down (failed, or rebooting) runs nothing: its kubelet drops every timer and reply
that arrives meanwhile (``find`` sees no pod there; pulls carry the node's boot count). When it
comes back, the kubelet confirms the deletion of pods that were terminating and starts the others
again from the image pull (:meth:`Kubelet.node_restarted`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.eirini.constants import (
    APP_PORT,
    CRASH_EXIT_STATUS,
    LIVENESS_FAILURE_THRESHOLD,
    PROBE_PERIOD_S,
    TERMINATION_GRACE_S,
    crash_backoff,
    next_backoff_step,
)
from simulator.eirini.registry import Transfer
from simulator.eirini.state import RUNNING, SUCCEEDED, Pod
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

ROOTFS_LAYER = "eirinifs"


def rootfs_layer(version: str | None) -> str:
    """The eirinifs layer of one rootfs version: a new version is a new digest to pull (§1.7)."""
    return f"{ROOTFS_LAYER}:{version}"


class Kubelet:
    """Every node's kubelet and runtime; handlers take the node's name first."""

    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in (
            "pod_bound",
            "manifest_fetched",
            "layer_fetched",
            "container_started",
            "app_booted",
            "process_exited",
            "readiness_probe",
            "liveness_probe",
            "restart",
            "kill",
            "killed",
        ):
            engine.register(f"kubelet.{name}", getattr(self, name))

    def find(self, node: str, name: str, generation: int | None = None) -> Pod | None:
        pod = self.p.pods.get(name)
        if pod is None or pod.node != node or self.p.nodes[node].down:
            return None
        if generation is not None and (pod.generation != generation or pod.deleting):
            return None
        return pod

    def set_reason(self, pod: Pod, reason: str) -> None:
        pod.reason = reason
        self.p.emit_pod(pod)

    # -- images -------------------------------------------------------------------------------

    def pod_bound(self, node_name: str, pod_name: str) -> None:
        pod = self.find(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        node = self.p.nodes[node_name]
        if node_name and pod.ip is None:
            pod.ip = f"10.244.{node.index}.{node.next_pod_ip}"
            node.next_pod_ip += 1
        self.p.emit_node(node)
        if pod.kind == "staging":
            self.p.staging.pull_images(pod)
            return
        self._pull(node_name, pod, "ContainerCreating: waiting to pull image")

    def _pull(self, node_name: str, pod: Pod, reason: str) -> None:
        """Queue the pod's image pull: under ``Always`` every container start asks the registry."""
        node = self.p.nodes[node_name]
        node.pull_queue.append(pod.name)
        self.set_reason(pod, reason)
        self._next_pull(node_name)

    def _next_pull(self, node_name: str) -> None:
        node = self.p.nodes[node_name]
        while node.pulling is None and node.pull_queue:
            pod = self.find(node_name, node.pull_queue.pop(0))
            if pod is None or pod.deleting:
                continue
            node.pulling = pod.name
            self.p.node_activity(node)
            app = self.p.apps[pod.app]
            settings = self.p.scenario.eirini
            self.p.note(
                f"kubelet@{node_name}",
                f"runtime@{node_name}",
                f"PullImage {pod.image}",
                instance=pod.instance,
            )
            self.set_reason(pod, "ContainerCreating: pulling image manifest")
            self.p.registry.request(
                Transfer(
                    client=f"runtime@{node_name}",
                    label=f"GET manifest cloudfoundry/{app.guid} (re-tars the {app.spec.droplet_mb:g} MB droplet)",
                    size_mb=0.0,
                    extra_s=app.spec.droplet_mb / settings.registry_repack_mb_s,
                    then="kubelet.manifest_fetched",
                    args=(node_name, pod.name, node.boot),
                    entities={"instance": pod.instance, "app": pod.app},
                )
            )

    def manifest_fetched(self, node_name: str, pod_name: str, boot: int) -> None:
        if self.p.nodes[node_name].boot != boot:
            return  # the node went down since it asked
        pod = self.find(node_name, pod_name)
        if pod is not None:
            # The manifest names the eirinifs layer bits-service computed when it started (§1.7).
            pod.rootfs = self.p.registry.rootfs_version
        self._fetch_missing_layer(node_name, pod_name)

    def _layers(self, pod: Pod) -> list[tuple[str, float]]:
        return [
            (rootfs_layer(pod.rootfs), self.p.scenario.eirini.rootfs_layer_mb),
            (f"droplet-{pod.app}", self.p.apps[pod.app].spec.droplet_mb),
        ]

    def _fetch_missing_layer(self, node_name: str, pod_name: str) -> None:
        node = self.p.nodes[node_name]
        pod = self.find(node_name, pod_name)
        if pod is None or pod.deleting:
            node.pulling = None
            self.p.node_activity(node)
            self._next_pull(node_name)
            return
        for layer, size in self._layers(pod):
            if layer not in node.layers:
                self.set_reason(pod, f"ContainerCreating: pulling layer {layer} ({size:g} MB)")
                self.p.registry.request(
                    Transfer(
                        client=f"runtime@{node_name}",
                        label=f"GET blob {layer} ({size:g} MB)",
                        size_mb=size,
                        extra_s=0.0,
                        then="kubelet.layer_fetched",
                        args=(node_name, pod_name, layer, size, node.boot),
                        entities={"instance": pod.instance, "app": pod.app},
                    )
                )
                return
        node.images[pod.image] = sum(size for _, size in self._layers(pod))
        self.p.scheduler.node_has_image(node_name, pod.image, node.images[pod.image])
        node.pulling = None
        self.p.node_activity(node)
        self._next_pull(node_name)
        self.start_container(node_name, pod)

    def layer_fetched(self, node_name: str, pod_name: str, layer: str, size: float, boot: int) -> None:
        if self.p.nodes[node_name].boot != boot:
            return  # the node went down since it asked
        self.p.nodes[node_name].layers[layer] = size
        self._fetch_missing_layer(node_name, pod_name)

    # -- containers ---------------------------------------------------------------------------

    def start_container(self, node_name: str, pod: Pod) -> None:
        self.set_reason(pod, "ContainerCreating: starting container")
        self.p.send(
            f"kubelet@{node_name}",
            f"runtime@{node_name}",
            f"CreateContainer + StartContainer {pod.name}",
            "kubelet.container_started",
            node_name,
            pod.name,
            pod.generation,
            delay=self.p.duration(self.p.scenario.eirini.container_start_s),
            instance=pod.instance,
        )

    def container_started(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self.find(node_name, pod_name, generation)
        if pod is None:
            return
        pod.generation += 1
        pod.phase = RUNNING
        pod.container = "running"
        pod.started_at = self.p.now
        pod.liveness_failures = 0
        if pod.kind == "staging":
            self.set_reason(pod, "Running: downloading app package")
            self.p.staging.run(node_name, pod)
            return
        self.set_reason(pod, "Running, not Ready")
        self.p.api.update_status(node_name, pod, "Running")
        spec = self.p.apps[pod.app].spec
        self.p.engine.schedule(spec.boot_s, "kubelet.app_booted", node_name, pod.name, pod.generation)
        if spec.crash is not None:
            # The scenario's crashing app: it exits this long after every start.
            runs_for = self.p.engine.rng.uniform(spec.crash.min_s, spec.crash.max_s)
            self.p.engine.schedule(runs_for, "kubelet.process_exited", node_name, pod.name, pod.generation)
        if spec.health_check.type == "process":
            # process-type health checks get no probes: Ready as soon as it runs (§1.3).
            self._ready(node_name, pod)
            return
        self.p.engine.schedule(0.0, "kubelet.readiness_probe", node_name, pod.name, pod.generation)
        self.p.engine.schedule(
            spec.health_check.timeout_s, "kubelet.liveness_probe", node_name, pod.name, pod.generation
        )

    def app_booted(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self.find(node_name, pod_name, generation)
        if pod is not None:
            self.p.app_log(
                pod.app,
                f"APP/PROC/WEB/{pod.ordinal}",
                f"runtime@{node_name}",
                f"Listening on port {APP_PORT}",
            )

    def _booted(self, pod: Pod) -> bool:
        return self.p.now - pod.started_at >= self.p.apps[pod.app].spec.boot_s

    def readiness_probe(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self.find(node_name, pod_name, generation)
        if pod is None or pod.ready:
            return
        kind = "http GET /" if self.p.apps[pod.app].spec.health_check.type == "http" else "tcp"
        self.p.note(
            f"kubelet@{node_name}",
            f"runtime@{node_name}",
            f"readiness probe ({kind} :{APP_PORT})",
            instance=pod.instance,
        )
        if self._booted(pod):
            self._ready(node_name, pod)
        else:
            self.p.engine.schedule(PROBE_PERIOD_S, "kubelet.readiness_probe", node_name, pod_name, generation)

    def _ready(self, node_name: str, pod: Pod) -> None:
        pod.ready = True
        self.set_reason(pod, "Running, Ready")
        self.p.api.update_status(node_name, pod, "Ready")

    def liveness_probe(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self.find(node_name, pod_name, generation)
        if pod is None:
            return
        self.p.note(
            f"kubelet@{node_name}",
            f"runtime@{node_name}",
            f"liveness probe (:{APP_PORT})",
            instance=pod.instance,
        )
        if self._booted(pod):
            pod.liveness_failures = 0
        else:
            pod.liveness_failures += 1
            if pod.liveness_failures >= LIVENESS_FAILURE_THRESHOLD:
                self._crash(node_name, pod, "Liveness probe failed")
                return
        self.p.engine.schedule(PROBE_PERIOD_S, "kubelet.liveness_probe", node_name, pod_name, generation)

    def process_exited(self, node_name: str, pod_name: str, generation: int) -> None:
        """The app's process exits with an error, unless its container was restarted meanwhile."""
        pod = self.find(node_name, pod_name, generation)
        if pod is not None:
            self._crash(node_name, pod, f"Error: exit status {CRASH_EXIT_STATUS}")

    def crash(self, pod_name: str) -> bool:
        """The pod's running container exits with an error now; False if nothing was running."""
        pod = self.p.pods.get(pod_name)
        if pod is None or pod.node is None or pod.container != "running":
            return False
        if self.find(pod.node, pod_name, pod.generation) is None:
            return False
        self._crash(pod.node, pod, f"Error: exit status {CRASH_EXIT_STATUS}")
        return True

    def _crash(self, node_name: str, pod: Pod, reason: str) -> None:
        """The container is killed and restarted in place after CrashLoopBackOff (§3.3)."""
        pod.backoff_step = next_backoff_step(pod.backoff_step, self.p.now - pod.started_at)
        pod.restarts += 1
        pod.last_exit = reason
        pod.generation += 1
        pod.ready = False
        pod.container = "waiting"
        wait = crash_backoff(pod.backoff_step)
        self.set_reason(pod, f"CrashLoopBackOff ({reason}); restart {pod.restarts} in {wait:g} s")
        self.p.app_log(
            pod.app,
            f"APP/PROC/WEB/{pod.ordinal}",
            f"kubelet@{node_name}",
            f"{reason}; container will be restarted",
        )
        self.p.api.update_status(node_name, pod, "CrashLoopBackOff", crashed=True)
        self.p.engine.schedule(wait, "kubelet.restart", node_name, pod.name, pod.generation)

    def restart(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self.find(node_name, pod_name, generation)
        if pod is not None:
            self._pull(node_name, pod, "ContainerCreating: restarting, pulling image")

    def kill(self, node_name: str, pod_name: str) -> None:
        """SIGTERM, wait for the app to exit (at most the 30 s grace period), then remove (§3.8)."""
        pod = self.find(node_name, pod_name)
        if pod is None:
            return
        pod.generation += 1
        pod.ready = False
        pod.container = "terminated"
        self.p.note(
            f"kubelet@{node_name}",
            f"runtime@{node_name}",
            f"StopContainer {pod_name} (SIGTERM)",
            instance=pod.instance,
        )
        exit_after = (
            0.0
            if pod.phase == SUCCEEDED
            else min(self.p.duration(self.p.timing.graceful_stop_s), TERMINATION_GRACE_S)
        )
        self.p.engine.schedule(exit_after, "kubelet.killed", node_name, pod_name)

    def killed(self, node_name: str, pod_name: str) -> None:
        pod = self.find(node_name, pod_name)
        if pod is None:
            return
        self.p.send(
            f"kubelet@{node_name}",
            "api-server",
            f"DELETE Pod {pod_name} (containers stopped)",
            "api.pod_removed",
            pod_name,
            instance=pod.instance,
        )

    # -- the node going down and coming back ----------------------------------------------------

    def node_lost(self, node_name: str) -> None:
        """The machine stops: its containers are gone and nothing in flight carries on.

        The API is not told: pods keep the status the kubelet last posted until the node
        lifecycle controller notices (§3.7).
        """
        node = self.p.nodes[node_name]
        node.pulling = None
        self.p.node_activity(node)
        node.pull_queue.clear()
        for pod in self.p.pods_on(node_name):
            pod.generation += 1
            if pod.container == "running":
                pod.container = "lost"

    def node_restarted(self, node_name: str) -> None:
        """The kubelet starts again and syncs the pods bound to its node (§3.7 step 4, §3.8).

        Terminating pods have no containers left, so it confirms their deletion at once (and only
        now can the StatefulSet controller recreate their ordinals). A staging pod (restartPolicy
        Never) has failed: it is removed and its Job makes another. App pods get a new sandbox
        (a new IP) and start again from the image pull.
        """
        for pod in sorted(self.p.pods_on(node_name), key=lambda p: p.name):
            if pod.deleting:
                self.killed(node_name, pod.name)
            elif pod.kind == "staging":
                if pod.phase != SUCCEEDED:
                    self.p.send(
                        f"kubelet@{node_name}",
                        "api-server",
                        f"DELETE Pod {pod.name} (Failed: its node restarted, restartPolicy Never)",
                        "api.pod_removed",
                        pod.name,
                        task=pod.owner,
                    )
            else:
                was_ready = pod.ready
                pod.generation += 1
                pod.ready = False
                pod.container = "waiting"
                if pod.phase == RUNNING:
                    pod.restarts += 1
                pod.ip = None
                if was_ready:
                    self.p.api.update_status(node_name, pod, "Ready=False: node restarted")
                self.pod_bound(node_name, pod.name)
