"""Eirini on Kubernetes in fleet mode: kube-scheduler's queue, kubelet pulls and bits-service.

Per app (kubernetes-eirini.md §1): Cloud Controller asks Eirini to stage, a staging Job's pod is
scheduled, pulls the staging images once per node, downloads the package through bits-service,
compiles and uploads the droplet through bits-service; then OPI desires a StatefulSet whose
pods (Parallel) enter kube-scheduler's queue. kube-scheduler takes one pod per cycle
(``scheduling_cycle_s``) with the real filters, scores and node sampling
(:mod:`simulator.kubernetes.scheduler_fleet`). Each kubelet pulls one image at a time: the
manifest (bits-service re-tars the droplet) and the layers the node lacks (the eirinifs rootfs
once, the app's droplet), all through bits-service's ``registry_concurrency`` servers, first
come first served; then the container starts and the readiness probe (every 10 s, no initial
delay) finds the app up. Unschedulable pods retry after the queue's back-off (1, 2, 4, 8, 10 s).

The run moves in windows of ``WINDOW_S`` simulated seconds. In a window, bits-service and the
kubelets serve their requests in arrival order (a small event loop of their own), the cf push
sessions take their next apps, and then kube-scheduler takes the pods that arrive in the window,
first come first served, each cycle at its own time; its cache sees staging pods that finished
and images nodes reported (every 10 s, with the node status) as of the window's start. The
approximations against an event-by-event order: a pod whose cause lies in the same window waits
for the next, and a pull requested by a pod bound in the window queues at bits-service behind
requests of that window that arrived later. Left out against the detailed model: crashes, route
registration and log lines.
"""

from __future__ import annotations

import heapq
import math
from array import array

import numpy as np

from simulator.cf.staging import compile_seconds
from simulator.eirini.constants import NODE_STATUS_UPDATE_FREQUENCY_S, PROBE_PERIOD_S, cpu_request_millis
from simulator.eirini.kube_scheduler import (
    segment_labels,
    segment_selector,
    segment_taints,
    segment_tolerations,
)
from simulator.fleet.platform import FleetPlatform
from simulator.kubernetes.scheduler_fleet import FleetNodes, FleetScheduler, PodProfile
from simulator.scenario import Scenario

# kube-scheduler takes its queue a window at a time (see the module docstring).
WINDOW_S = 5.0
# The scheduling queue's back-off for a pod that did not fit (kubernetes-eirini.md §2.5).
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 10.0)
_PULL, _PACKAGE, _UPLOAD = 0, 1, 2


def nodes_of(scenario: Scenario) -> FleetNodes:
    """The scenario's cells as empty Kubernetes nodes, as Eirini's deployment would label them."""
    cells = scenario.cells
    zone_id = {zone: i for i, zone in enumerate(scenario.zones)}

    def column(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=np.int64)

    empty = column([0] * len(cells))
    return FleetNodes(
        names=[c.name for c in cells],
        zone=column([zone_id[c.zone] for c in cells]),
        zone_names=list(scenario.zones),
        allocatable_memory=column([c.memory_mb for c in cells]),
        allocatable_cpu=column([scenario.eirini.node_cpu_millis] * len(cells)),
        allocatable_storage=column([c.disk_mb for c in cells]),
        # kubelet's max-pods, set to what the cell would hold (110 by default is too few for the
        # scale record: 250,000 pods need 250 a node on 1,000 nodes).
        allocatable_pods=column([c.max_containers for c in cells]),
        requested_memory=empty.copy(),
        requested_cpu=empty.copy(),
        requested_storage=empty.copy(),
        pods=empty.copy(),
        pods_without_cpu_request=empty.copy(),
        pods_without_memory_request=empty.copy(),
        ready=np.ones(len(cells), dtype=bool),
        unschedulable=np.zeros(len(cells), dtype=bool),
        labels=[segment_labels(c) for c in cells],
        taints=[segment_taints(c) for c in cells],
    )


class EiriniFleet(FleetPlatform):
    name = "eirini"
    stamp_names = ("pull",)
    queue_stamps = {"scheduler": ("desired", "placed"), "image pulls": ("pull", "running")}

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__(scenario, seed)
        settings = scenario.eirini
        self.settings = settings
        self.scheduler = FleetScheduler(nodes_of(scenario), settings, self.rng)
        templates = self.apps.templates
        per_app = self.apps.template
        # An app with placement tags runs in its isolation segment, as the detailed model places
        # it: its pods (staging pod too) select the segment's nodes and tolerate their taints.
        tag_sets = sorted({t.placement_tags for t in templates})
        self.profiles = [PodProfile(segment_selector(tags), segment_tolerations(tags)) for tags in tag_sets]
        self.app_profile: list[int] | None = None
        if any(tag_sets):
            profile_of = [tag_sets.index(t.placement_tags) for t in templates]
            self.app_profile = np.array(profile_of, dtype=np.int64)[per_app].tolist()

        # Plain lists: bits-service's loop reads them one request at a time.
        def column(values: list[float]) -> list[float]:
            return np.array(values, dtype=np.float64)[per_app].tolist()

        self.app_droplet = column([t.droplet_mb for t in templates])
        self.app_package = column([t.package_mb for t in templates])
        self.app_boot = column([t.boot_s for t in templates])
        self.app_compile = column([compile_seconds(t, self.timing) for t in templates])
        self.app_cpu = np.array([cpu_request_millis(t.memory_mb) for t in templates], dtype=np.int64)[per_app]
        self.app_cpu_list = self.app_cpu.tolist()
        self.app_memory = self.apps.memory_mb.tolist()
        self.app_disk = self.apps.disk_mb.tolist()
        self.instance_app = np.repeat(np.arange(self.apps.count, dtype=np.int64), self.apps.instances)
        self.instance_app_list = self.instance_app.tolist()
        # kube-scheduler's queue: pods (instance id, or -1 - app for a staging pod) and when each
        # becomes schedulable; the scheduler is busy until ``busy_until``.
        self.queue: list[tuple[float, int, int]] = []
        self.queue_seq = 0
        self.attempts: dict[int, int] = {}
        self.busy_until = 0.0
        # Staging pods running, for the pod slots they hold: when each is done, node, app.
        self.staging_pods: list[tuple[float, int, int]] = []
        # bits-service and kubelets: (arrives, seq, kind, subject) requests in time order.
        self.requests: list[tuple[float, int, int, int]] = []
        self.request_seq = 0
        self.servers = [0.0] * max(1, settings.registry_concurrency)
        # Per-node and per-pod state in lists: the loops read and write one entry at a time, and
        # a list entry costs a fraction of a numpy scalar. The trace arrays get the same values.
        nodes = len(self.layout.names)
        self.node_pull_free = [0.0] * nodes
        self.node_has_rootfs = [False] * nodes
        self.node_has_staging_images = [False] * nodes
        self.node_droplets: set[int] = set()
        self.unstarted = self.apps.instances.tolist()
        self.app_instances = self.apps.instances.tolist()
        self.app_count = self.apps.count
        self.app_first = self.apps.first_instance.tolist()
        self.pod_node = [-1] * len(self.instance_app_list)
        self.pod_pull_at = [0.0] * len(self.instance_app_list)
        self.staging_node = [-1] * self.apps.count
        # One request between components (``_hop``): its mean, jittered per request.
        timing = self.timing
        self.hop_s = 2 * timing.network_latency_s + timing.api_latency_s + timing.db_latency_s
        # The latest running time of each app's instances so far.
        self.app_latest = [0.0] * self.apps.count
        # Pulls wait in their node's line; a node's pulls are one at a time (serialized pulls).
        self.node_lines: dict[int, list[int]] = {}
        self.node_pulling = [False] * nodes
        # Images pulled, (app, node, MB), until the node's next status lists them (ImageLocality).
        self.new_images: list[tuple[int, int, int]] = []
        # Reported on node status updates, which fall on a few times: the images by that time,
        # and a heap of the times (far fewer heap operations than one entry per image).
        self.images_reported: dict[float, list[tuple[int, int, int]]] = {}
        self.report_times: list[float] = []
        # What simulator/fleet/eirini_explain.py needs to rebuild any cycle afterwards, written
        # a window's batch at a time: per cycle, the pod it took (as in the queue) and where its
        # node scan started; per app, the cycle before which the cache let its staging pod go
        # (-1: not yet); per image the cache took in, in that order, its key ``app * nodes +
        # node`` and the first cycle that saw it. C arrays (int, or 64 bits for the key): a few
        # bytes an entry, nothing for the garbage collector to walk, filled by ``fromlist``.
        self.cycle_pod = array("i")
        self.cycle_start = array("i")
        self.staging_released = array("i", [-1]) * self.apps.count
        self.image_key = array("q")
        self.image_cycle = array("i")

    # -- hops ---------------------------------------------------------------------------------

    def _hop(self) -> float:
        """One request between components: network both ways and the server's handling."""
        return self.duration(self.hop_s)

    def _enqueue(self, pod: int, at: float) -> None:
        """A pod becomes schedulable at ``at`` (``-1 - app`` for an app's staging pod)."""
        heapq.heappush(self.queue, (at, self.queue_seq, pod))
        self.queue_seq += 1

    def _request(self, at: float, kind: int, subject: int) -> None:
        heapq.heappush(self.requests, (at, self.request_seq, kind, subject))
        self.request_seq += 1

    # -- a tick -------------------------------------------------------------------------------

    def step(self, now: float) -> None:
        """One window of kube-scheduler's queue: what arrives in [now, now + WINDOW_S)."""
        horizon = now + WINDOW_S
        # First whatever bits-service and the sessions do before the window ends: that is where
        # the window's pods come from (staged apps' pods, new pushes' staging pods).
        self._serve_until(horizon)
        admitted = self.admit(horizon)
        if admitted:
            requested = self.trace.staging_requested_at[admitted].tolist()
            for app, at in zip(admitted, requested, strict=True):
                # Cloud Controller → Eirini → API server (Job) → Job controller → a pending pod.
                self._enqueue(-1 - app, at + 3 * self._hop())
        if self.queue and self.queue[0][0] < horizon:
            self._drain(now, horizon)
        self.check_finished()
        self._wake(self._next_tick(horizon))

    def _next_tick(self, horizon: float) -> float:
        pending = self.queue[0][0] if self.queue else math.inf
        registry = self.requests[0][0] if self.requests else math.inf
        return max(horizon, min(pending, registry, self.next_session_at()))

    # -- kube-scheduler -----------------------------------------------------------------------

    def _drain(self, now: float, horizon: float) -> None:
        arrived: list[float] = []
        waiting: list[int] = []
        queue = self.queue
        while queue and queue[0][0] < horizon:
            at, _, pod = heapq.heappop(queue)
            arrived.append(at)
            waiting.append(pod)
        self._catch_up(now)
        # The batch in lists (a window holds a few dozen pods: numpy would cost more than it
        # saves). A staging pod has no owner, no image and no requests; an app pod's image is
        # its app's droplet.
        instance_app = self.instance_app_list
        apps = [instance_app[pod] if pod >= 0 else -1 for pod in waiting]
        app_cpu, app_memory, app_disk = self.app_cpu_list, self.app_memory, self.app_disk
        cpus = [app_cpu[app] if app >= 0 else 0 for app in apps]
        memories = [app_memory[app] if app >= 0 else 0 for app in apps]
        storages = [app_disk[app] if app >= 0 else 0 for app in apps]
        app_profile = self.app_profile
        if app_profile is None:  # no isolation segments: every pod has the default profile
            result = self.scheduler.schedule_lists(apps, cpus, memories, storages, apps)
        else:
            profile_of = [app_profile[instance_app[pod] if pod >= 0 else -1 - pod] for pod in waiting]
            result = self.scheduler.schedule_lists(
                apps, cpus, memories, storages, apps, profile_of, self.profiles
            )
        self.cycle_pod.fromlist(waiting)
        self.cycle_start.fromlist(result.start)
        # One pod per cycle, first come first served: a pod's cycle starts when it has arrived
        # and the previous cycle is over.
        cycle = self.settings.scheduling_cycle_s
        ends = []
        free = self.busy_until
        for at in arrived:
            free = (at if at > free else free) + cycle
            ends.append(free)
        self.busy_until = free
        trace = self.trace
        trace.round_at.extend(ends)
        nodes = result.node
        bound = [1 if node >= 0 else 0 for node in nodes]
        trace.round_placed.extend(bound)
        trace.round_failed.extend([1 - b for b in bound])
        trace.round_ties.append(int(result.ties))
        # The binding (API server) and the kubelet's watch: one hop each. The hop is
        # ``2 * self._hop()`` inlined: the same draw, in the same order, without two calls a pod.
        hop_s = self.hop_s
        factors, factor = self.jitter.factors_left, self.jitter.factor
        attempts, pod_node, pull_at = self.attempts, self.pod_node, self.pod_pull_at
        placed: list[int] = []
        placed_on: list[int] = []
        placed_at: list[float] = []
        seen_at: list[float] = []
        for pod, node, at in zip(waiting, nodes, ends, strict=True):
            hop = 2 * (hop_s * (factors.pop() if factors else factor()))
            if node < 0:
                tries = attempts.get(pod, 0)
                attempts[pod] = tries + 1
                trace.placement_failures += 1
                self._enqueue(pod, at + BACKOFF_S[min(tries, len(BACKOFF_S) - 1)])
            elif pod < 0:
                self._staging_bound(-1 - pod, node, at, at + hop)
            else:
                seen = at + hop
                pod_node[pod] = node
                pull_at[pod] = seen
                placed.append(pod)
                placed_on.append(node)
                placed_at.append(at)
                seen_at.append(seen)
                self._want_pull(node, pod, seen)
        if placed:
            # Written once a batch: nothing reads them back before the window ends.
            trace.node[placed] = placed_on
            trace.placed_at[placed] = placed_at
            trace.stamps["pull"][placed] = seen_at

    def _catch_up(self, now: float) -> None:
        """What kube-scheduler's cache has heard of by ``now``: staging pods done, images pulled."""
        staging_pods = self.staging_pods
        # The next cycle's index: what is taken in here is seen from that cycle on.
        cycle = len(self.trace.round_at)
        if staging_pods and staging_pods[0][0] <= now:
            release = self.scheduler.release
            released = self.staging_released
            while staging_pods and staging_pods[0][0] <= now:
                _, node, app = heapq.heappop(staging_pods)
                # The Job's pod succeeded: it no longer counts on its node.
                release(node, -1, 0, 0, 0)
                released[app] = cycle
        times = self.report_times
        if times and times[0] <= now:
            images = self.scheduler.nodes.images
            nodes = len(self.layout.names)
            while times and times[0] <= now:
                # In (app, node) order within a time, as one heap of every image would give them.
                reported = sorted(self.images_reported.pop(heapq.heappop(times)))
                self.image_key.fromlist([app * nodes + node for app, node, _ in reported])
                self.image_cycle.fromlist([cycle] * len(reported))
                for app, node, size in reported:
                    images.setdefault(app, {})[node] = size

    # -- staging --------------------------------------------------------------------------------

    def _staging_bound(self, app: int, node: int, bound: float, seen: float) -> None:
        trace = self.trace
        trace.staging_placed_at[app] = bound
        trace.staging_node[app] = node
        self.staging_node[app] = node
        start = seen
        if not self.node_has_staging_images[node]:
            self.node_has_staging_images[node] = True
            start += self.settings.staging_images_mb / self.timing.blobstore_bandwidth_mb_s
        start += self.duration(self.settings.container_start_s)
        self._request(start, _PACKAGE, app)

    # -- kubelets and bits-service ------------------------------------------------------------

    def _want_pull(self, node: int, pod: int, at: float) -> None:
        """The kubelet wants ``pod``'s image from ``at`` (its pull stamp, set by the caller)."""
        if self.node_pulling[node]:
            self.node_lines.setdefault(node, []).append(pod)
            return
        self.node_pulling[node] = True
        free = self.node_pull_free[node]
        self._request(at if at > free else free, _PULL, pod)

    def _serve_until(self, limit: float) -> None:
        """Serve every request arriving before ``limit`` (which what is served may lower)."""
        requests = self.requests
        servers = self.servers
        bandwidth = self.settings.registry_bandwidth_mb_s
        package, droplet, compile_s = self.app_package, self.app_droplet, self.app_compile
        factors, factor = self.jitter.factors_left, self.jitter.factor
        pop, replace = heapq.heappop, heapq.heapreplace
        while requests and requests[0][0] < limit:
            at, _, kind, subject = pop(requests)
            free = servers[0]
            start = at if at > free else free
            if kind == _PULL:
                done = start + self._pull_seconds(subject)
                replace(servers, done)
                self._pulled(subject, done)
            elif kind == _PACKAGE:
                done = start + package[subject] / bandwidth
                replace(servers, done)
                # ``self.duration`` inlined: the same draw.
                compiled = done + compile_s[subject] * (factors.pop() if factors else factor())
                self._request(compiled, _UPLOAD, subject)
            else:
                done = start + droplet[subject] / bandwidth
                replace(servers, done)
                self._staged(subject, done)

    def _pull_seconds(self, pod: int) -> float:
        """The manifest (bits-service re-tars the droplet), then the layers the node lacks."""
        settings = self.settings
        node = self.pod_node[pod]
        app = self.instance_app_list[pod]
        droplet = self.app_droplet[app]
        size = 0.0
        if not self.node_has_rootfs[node]:
            self.node_has_rootfs[node] = True
            size += settings.rootfs_layer_mb
        key = node * self.app_count + app
        if key not in self.node_droplets:
            self.node_droplets.add(key)
            size += droplet
            self.new_images.append((app, node, round(settings.rootfs_layer_mb + droplet)))
        return droplet / settings.registry_repack_mb_s + size / settings.registry_bandwidth_mb_s

    def _pulled(self, pod: int, done: float) -> None:
        node = self.pod_node[pod]
        # ``self.duration`` inlined twice: the container start, then the boot, as drawn before.
        factors, factor = self.jitter.factors_left, self.jitter.factor
        started = done + self.settings.container_start_s * (factors.pop() if factors else factor())
        app = self.instance_app_list[pod]
        boot = self.app_boot[app] * (factors.pop() if factors else factor())
        # Readiness: probed at start and every 10 s after, Ready once the app listens.
        running = started + math.ceil(boot / PROBE_PERIOD_S) * PROBE_PERIOD_S
        self.trace.running_at[pod] = running
        self.node_pull_free[node] = done
        # The node lists the new image at its next status update; ImageLocality scores it then.
        new_images = self.new_images
        if new_images:
            reported = math.ceil(done / NODE_STATUS_UPDATE_FREQUENCY_S) * NODE_STATUS_UPDATE_FREQUENCY_S
            bucket = self.images_reported.get(reported)
            if bucket is None:
                bucket = self.images_reported[reported] = []
                heapq.heappush(self.report_times, reported)
            bucket.extend(new_images)
            new_images.clear()
        line = self.node_lines.get(node)
        if line:
            following = line.pop(0)
            pull_at = self.pod_pull_at[following]
            self._request(done if done > pull_at else pull_at, _PULL, following)
        else:
            self.node_pulling[node] = False
        if running > self.app_latest[app]:
            self.app_latest[app] = running
        self.unstarted[app] -= 1
        if self.unstarted[app] == 0:
            self.app_started(app, self.app_latest[app])
            self.apps_done += 1

    def _staged(self, app: int, uploaded: float) -> None:
        trace = self.trace
        node = self.staging_node[app]
        heapq.heappush(self.staging_pods, (uploaded, node, app))
        # Succeeded → Eirini → Cloud Controller; CC desires the LRP → OPI → StatefulSet → pods.
        # ``self._hop()`` inlined, here and below: the same draws in the same order.
        hop_s, factors = self.hop_s, self.jitter.factors_left
        staged = uploaded + 2 * (hop_s * (factors.pop() if factors else self.jitter.factor()))
        trace.staged_at[app] = staged
        count = self.app_instances[app]
        if count == 0:
            self.staged_without_instances(app, staged)
            return
        first = self.app_first[app]
        desired = staged + 3 * (hop_s * (factors.pop() if factors else self.jitter.factor()))
        trace.desired_at[first : first + count] = desired
        queue, seq = self.queue, self.queue_seq
        for pod in range(first, first + count):
            heapq.heappush(queue, (desired, seq, pod))
            seq += 1
        self.queue_seq = seq
