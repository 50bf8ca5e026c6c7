"""A node's kubelet and container runtime (§3.1–§3.4, §3.8).

The kubelet sees a pod bound to its node, pulls its image (one pull at a time per node; under
``imagePullPolicy: Always`` every start asks bits-service for the manifest, and only layers the
node lacks are downloaded: the shared eirinifs rootfs once per node, each app's droplet once per
node), asks the runtime to start the container, then probes it: readiness every 10 s from the
start, liveness every 10 s after the health-check timeout, restarting a failing container in
place with CrashLoopBackOff. Staging pods download the app package, compile and upload the
droplet through bits-service, then report to Eirini.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.eirini.constants import (
    APP_PORT,
    CRASH_BACKOFF_RESET_S,
    LIVENESS_FAILURE_THRESHOLD,
    PROBE_PERIOD_S,
    TERMINATION_GRACE_S,
    crash_backoff,
)
from simulator.eirini.registry import Transfer
from simulator.eirini.state import RUNNING, SUCCEEDED, Pod
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

ROOTFS_LAYER = "eirinifs"
STAGING_IMAGES_LAYER = "eirini-staging-images"


class Kubelet:
    """Every node's kubelet and runtime; handlers take the node's name first."""

    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in (
            "pod_bound",
            "manifest_fetched",
            "layer_fetched",
            "staging_images_pulled",
            "container_started",
            "app_booted",
            "readiness_probe",
            "liveness_probe",
            "restart",
            "kill",
            "killed",
            "package_downloaded",
            "compiled",
            "droplet_uploaded",
        ):
            engine.register(f"kubelet.{name}", getattr(self, name))

    def _pod(self, node: str, name: str, generation: int | None = None) -> Pod | None:
        pod = self.p.pods.get(name)
        if pod is None or pod.node != node:
            return None
        if generation is not None and (pod.generation != generation or pod.deleting):
            return None
        return pod

    def _set(self, pod: Pod, reason: str) -> None:
        pod.reason = reason
        self.p.emit_pod(pod)

    # -- images -------------------------------------------------------------------------------

    def pod_bound(self, node_name: str, pod_name: str) -> None:
        pod = self._pod(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        node = self.p.nodes[node_name]
        if node_name and pod.ip is None:
            pod.ip = f"10.244.{node.index}.{node.next_pod_ip}"
            node.next_pod_ip += 1
        self.p.emit_node(node)
        if pod.kind == "staging":
            self._pull_staging_images(pod)
            return
        node.pull_queue.append(pod_name)
        self._set(pod, "ContainerCreating: waiting to pull image")
        self._next_pull(node_name)

    def _next_pull(self, node_name: str) -> None:
        node = self.p.nodes[node_name]
        while node.pulling is None and node.pull_queue:
            pod = self._pod(node_name, node.pull_queue.pop(0))
            if pod is None or pod.deleting:
                continue
            node.pulling = pod.name
            app = self.p.apps[pod.app]
            settings = self.p.scenario.eirini
            self.p.note(
                f"kubelet@{node_name}",
                f"runtime@{node_name}",
                f"PullImage {pod.image}",
                instance=pod.instance,
            )
            self._set(pod, "ContainerCreating: pulling image manifest")
            self.p.registry.request(
                Transfer(
                    client=f"runtime@{node_name}",
                    label=f"GET manifest cloudfoundry/{app.guid} (re-tars the {app.spec.droplet_mb:g} MB droplet)",
                    size_mb=0.0,
                    extra_s=app.spec.droplet_mb / settings.registry_repack_mb_s,
                    then="kubelet.manifest_fetched",
                    args=(node_name, pod.name),
                    entities={"instance": pod.instance, "app": pod.app},
                )
            )

    def manifest_fetched(self, node_name: str, pod_name: str) -> None:
        self._fetch_missing_layer(node_name, pod_name)

    def _layers(self, pod: Pod) -> list[tuple[str, float]]:
        return [
            (ROOTFS_LAYER, self.p.scenario.eirini.rootfs_layer_mb),
            (f"droplet-{pod.app}", self.p.apps[pod.app].spec.droplet_mb),
        ]

    def _fetch_missing_layer(self, node_name: str, pod_name: str) -> None:
        node = self.p.nodes[node_name]
        pod = self._pod(node_name, pod_name)
        if pod is None or pod.deleting:
            node.pulling = None
            self._next_pull(node_name)
            return
        for layer, size in self._layers(pod):
            if layer not in node.layers:
                self._set(pod, f"ContainerCreating: pulling layer {layer} ({size:g} MB)")
                self.p.registry.request(
                    Transfer(
                        client=f"runtime@{node_name}",
                        label=f"GET blob {layer} ({size:g} MB)",
                        size_mb=size,
                        extra_s=0.0,
                        then="kubelet.layer_fetched",
                        args=(node_name, pod_name, layer, size),
                        entities={"instance": pod.instance, "app": pod.app},
                    )
                )
                return
        node.images[pod.image] = sum(size for _, size in self._layers(pod))
        self.p.scheduler.node_has_image(node_name, pod.image, node.images[pod.image])
        node.pulling = None
        self._next_pull(node_name)
        self._start_container(node_name, pod)

    def layer_fetched(self, node_name: str, pod_name: str, layer: str, size: float) -> None:
        self.p.nodes[node_name].layers[layer] = size
        self._fetch_missing_layer(node_name, pod_name)

    def _pull_staging_images(self, pod: Pod) -> None:
        node = self.p.nodes[pod.node or ""]
        if STAGING_IMAGES_LAYER in node.layers:
            self._start_container(node.name, pod)
            return
        size = self.p.scenario.eirini.staging_images_mb
        self._set(pod, f"PodInitializing: pulling staging images ({size:g} MB)")
        self.p.send(
            f"kubelet@{node.name}",
            f"runtime@{node.name}",
            f"PullImage eirini/recipe-downloader, -executor, -uploader ({size:g} MB)",
            "kubelet.staging_images_pulled",
            node.name,
            pod.name,
            delay=self.p.duration(size / self.p.timing.blobstore_bandwidth_mb_s),
            task=pod.owner,
            app=pod.app,
        )

    def staging_images_pulled(self, node_name: str, pod_name: str) -> None:
        self.p.nodes[node_name].layers[STAGING_IMAGES_LAYER] = self.p.scenario.eirini.staging_images_mb
        pod = self._pod(node_name, pod_name)
        if pod is not None and not pod.deleting:
            self._start_container(node_name, pod)

    # -- containers ---------------------------------------------------------------------------

    def _start_container(self, node_name: str, pod: Pod) -> None:
        self._set(pod, "ContainerCreating: starting container")
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
        pod = self._pod(node_name, pod_name, generation)
        if pod is None:
            return
        pod.generation += 1
        pod.phase = RUNNING
        pod.container = "running"
        pod.started_at = self.p.now
        pod.liveness_failures = 0
        if pod.kind == "staging":
            self._set(pod, "Running: downloading app package")
            self._run_staging(node_name, pod)
            return
        self._set(pod, "Running, not Ready")
        self.p.api.update_status(node_name, pod, "Running")
        spec = self.p.apps[pod.app].spec
        self.p.engine.schedule(spec.boot_s, "kubelet.app_booted", node_name, pod.name, pod.generation)
        if spec.health_check.type == "process":
            # process-type health checks get no probes: Ready as soon as it runs (§1.3).
            self._ready(node_name, pod)
            return
        self.p.engine.schedule(0.0, "kubelet.readiness_probe", node_name, pod.name, pod.generation)
        self.p.engine.schedule(
            spec.health_check.timeout_s, "kubelet.liveness_probe", node_name, pod.name, pod.generation
        )

    def app_booted(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self._pod(node_name, pod_name, generation)
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
        pod = self._pod(node_name, pod_name, generation)
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
        self._set(pod, "Running, Ready")
        self.p.api.update_status(node_name, pod, "Ready")

    def liveness_probe(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self._pod(node_name, pod_name, generation)
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

    def _crash(self, node_name: str, pod: Pod, reason: str) -> None:
        """The container is killed and restarted in place after CrashLoopBackOff (§3.3)."""
        ran_for = self.p.now - pod.started_at
        pod.backoff_step = 1 if ran_for > CRASH_BACKOFF_RESET_S else pod.backoff_step + 1
        pod.restarts += 1
        pod.generation += 1
        pod.ready = False
        pod.container = "waiting"
        wait = crash_backoff(pod.backoff_step)
        self._set(pod, f"CrashLoopBackOff ({reason}); restart {pod.restarts} in {wait:g} s")
        self.p.app_log(
            pod.app,
            f"APP/PROC/WEB/{pod.ordinal}",
            f"kubelet@{node_name}",
            f"{reason}; container will be restarted",
        )
        self.p.api.update_status(node_name, pod, "CrashLoopBackOff")
        self.p.engine.schedule(wait, "kubelet.restart", node_name, pod.name, pod.generation)

    def restart(self, node_name: str, pod_name: str, generation: int) -> None:
        pod = self._pod(node_name, pod_name, generation)
        if pod is not None:
            self._start_container(node_name, pod)

    def kill(self, node_name: str, pod_name: str) -> None:
        """SIGTERM, wait for the app to exit (at most the 30 s grace period), then remove (§3.8)."""
        pod = self._pod(node_name, pod_name)
        if pod is None:
            return
        pod.generation += 1
        pod.ready = False
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
        pod = self._pod(node_name, pod_name)
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

    # -- staging ------------------------------------------------------------------------------

    def _stg(self, pod: Pod, component: str, line: str) -> None:
        self.p.app_log(pod.app, "STG/0", f"{component}@{pod.node}", line)

    def _run_staging(self, node_name: str, pod: Pod) -> None:
        """The downloader fetches the app bits through bits-service, the blobstore's front-end (§1.1)."""
        app = self.p.apps[pod.app]
        self._stg(pod, "runtime", "Downloading app package...")
        self.p.registry.request(
            Transfer(
                client=f"runtime@{node_name}",
                label=f"GET app bits {app.guid} ({app.spec.package_mb:g} MB)",
                size_mb=app.spec.package_mb,
                extra_s=0.0,
                then="kubelet.package_downloaded",
                args=(node_name, pod.name),
                entities={"app": pod.app, "task": pod.owner},
            )
        )

    def package_downloaded(self, node_name: str, pod_name: str) -> None:
        pod = self._pod(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        spec = self.p.apps[pod.app].spec
        self._stg(pod, "runtime", f"Downloaded app package ({spec.package_mb:g}M)")
        self._stg(pod, "runtime", "Staging app...")
        self._stg(pod, "runtime", f"-----> {spec.buildpack} detected")
        self._stg(pod, "runtime", "-----> Installing dependencies and compiling")
        self._set(pod, f"Running: compiling with {spec.buildpack}")
        compile_s = spec.staging_s if spec.staging_s is not None else self.p.timing.staging_compile_s
        self.p.engine.schedule(self.p.duration(compile_s), "kubelet.compiled", node_name, pod_name)

    def compiled(self, node_name: str, pod_name: str) -> None:
        pod = self._pod(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        app = self.p.apps[pod.app]
        self._stg(pod, "runtime", "Uploading droplet...")
        self._set(pod, "Running: uploading droplet to bits-service")
        self.p.registry.request(
            Transfer(
                client=f"runtime@{node_name}",
                label=f"PUT droplet {app.guid} ({app.spec.droplet_mb:g} MB)",
                size_mb=app.spec.droplet_mb,
                extra_s=0.0,
                then="kubelet.droplet_uploaded",
                args=(node_name, pod_name),
                entities={"app": pod.app, "task": pod.owner},
            )
        )

    def droplet_uploaded(self, node_name: str, pod_name: str) -> None:
        pod = self._pod(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        spec = self.p.apps[pod.app].spec
        self._stg(pod, "runtime", f"Uploaded droplet ({spec.droplet_mb:g}M)")
        self._stg(pod, "runtime", "Uploading complete")
        pod.phase = SUCCEEDED
        pod.container = "terminated"
        self._set(pod, "Succeeded")
        self.p.api.update_status(node_name, pod, "Succeeded")
        self.p.send(
            f"runtime@{node_name}",
            "eirini",
            f"PUT /stage/{pod.owner}/completed",
            "opi.staging_completed",
            pod.app,
            app=pod.app,
            task=pod.owner,
        )
