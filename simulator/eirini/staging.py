"""A staging pod's containers on its node (§1.6): Eirini's native buildpack staging, 2019.

The kubelet pulls the ``eirini/recipe-*`` images once per node; the downloader fetches the app
bits through bits-service (the blobstore's front-end, §1.1), the executor runs the buildpack,
and the uploader puts the droplet into bits-service and tells Eirini ``PUT /stage/:guid/completed``.
Everything a node does for a staging pod that is not the kubelet's own business is here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.cf.staging import compile_lines, compile_seconds
from simulator.eirini.registry import Transfer
from simulator.eirini.state import SUCCEEDED, Pod
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.eirini.platform import EiriniPlatform

STAGING_IMAGES_LAYER = "eirini-staging-images"


class StagingContainers:
    """The recipe downloader, executor and uploader of every staging pod; handlers take the node first."""

    def __init__(self, platform: EiriniPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in ("images_pulled", "package_downloaded", "compiled", "droplet_uploaded"):
            engine.register(f"staging.{name}", getattr(self, name))

    def pull_images(self, pod: Pod) -> None:
        node = self.p.nodes[pod.node or ""]
        if STAGING_IMAGES_LAYER in node.layers:
            self.p.kubelet.start_container(node.name, pod)
            return
        size = self.p.scenario.eirini.staging_images_mb
        self.p.kubelet.set_reason(pod, f"PodInitializing: pulling staging images ({size:g} MB)")
        self.p.send(
            f"kubelet@{node.name}",
            f"runtime@{node.name}",
            f"PullImage eirini/recipe-downloader, -executor, -uploader ({size:g} MB)",
            "staging.images_pulled",
            node.name,
            pod.name,
            node.boot,
            delay=self.p.duration(size / self.p.timing.blobstore_bandwidth_mb_s),
            task=pod.owner,
            app=pod.app,
        )

    def images_pulled(self, node_name: str, pod_name: str, boot: int) -> None:
        if self.p.nodes[node_name].boot != boot:
            return
        self.p.nodes[node_name].layers[STAGING_IMAGES_LAYER] = self.p.scenario.eirini.staging_images_mb
        pod = self.p.kubelet.find(node_name, pod_name)
        if pod is not None and not pod.deleting:
            self.p.kubelet.start_container(node_name, pod)

    def _stg(self, pod: Pod, component: str, line: str) -> None:
        self.p.app_log(pod.app, "STG/0", f"{component}@{pod.node}", line)

    def run(self, node_name: str, pod: Pod) -> None:
        """The downloader fetches the app bits through bits-service, the blobstore's front-end (§1.1)."""
        app = self.p.apps[pod.app]
        self._stg(pod, "runtime", "Downloading app package...")
        self.p.registry.request(
            Transfer(
                client=f"runtime@{node_name}",
                label=f"GET app bits {app.guid} ({app.spec.package_mb:g} MB)",
                size_mb=app.spec.package_mb,
                extra_s=0.0,
                then="staging.package_downloaded",
                args=(node_name, pod.name),
                entities={"app": pod.app, "task": pod.owner},
            )
        )

    def package_downloaded(self, node_name: str, pod_name: str) -> None:
        pod = self.p.kubelet.find(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        spec = self.p.apps[pod.app].spec
        self._stg(pod, "runtime", f"Downloaded app package ({spec.package_mb:g}M)")
        for line in compile_lines(spec):
            self._stg(pod, "runtime", line)
        self.p.kubelet.set_reason(pod, f"Running: compiling with {spec.buildpack}")
        compile_s = compile_seconds(spec, self.p.timing)
        self.p.engine.schedule(self.p.duration(compile_s), "staging.compiled", node_name, pod_name)

    def compiled(self, node_name: str, pod_name: str) -> None:
        pod = self.p.kubelet.find(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        app = self.p.apps[pod.app]
        self._stg(pod, "runtime", "Uploading droplet...")
        self.p.kubelet.set_reason(pod, "Running: uploading droplet to bits-service")
        self.p.registry.request(
            Transfer(
                client=f"runtime@{node_name}",
                label=f"PUT droplet {app.guid} ({app.spec.droplet_mb:g} MB)",
                size_mb=app.spec.droplet_mb,
                extra_s=0.0,
                then="staging.droplet_uploaded",
                args=(node_name, pod_name),
                entities={"app": pod.app, "task": pod.owner},
            )
        )

    def droplet_uploaded(self, node_name: str, pod_name: str) -> None:
        pod = self.p.kubelet.find(node_name, pod_name)
        if pod is None or pod.deleting:
            return
        spec = self.p.apps[pod.app].spec
        self._stg(pod, "runtime", f"Uploaded droplet ({spec.droplet_mb:g}M)")
        self._stg(pod, "runtime", "Uploading complete")
        pod.phase = SUCCEEDED
        pod.container = "terminated"
        self.p.kubelet.set_reason(pod, "Succeeded")
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
