"""kube-scheduler's scheduling cycle over numpy arrays, for fleet mode (docs/fleet.md §2.2).

:class:`FleetScheduler` places pods one scheduling cycle at a time, exactly as
:func:`simulator.kubernetes.scheduler.schedule_pod` does (§2.1–§2.4): the same filters and
reasons, numFeasibleNodesToFind, the scan from the rotating ``nextStartNodeIndex`` in node-tree
order that stops at enough feasible nodes, the same score plugins, normalisations and weights in
both modes, and each cycle sees the pods assumed before it. It is built for 1,000 nodes and
250,000 pods, so it does not recompute what a cycle cannot change. Its parts live apart:

* :mod:`simulator.kubernetes.fleet_arrays`: what goes in and out (:class:`FleetNodes`,
  :class:`PodBatch`, :class:`FleetScheduleResult`) and the builders from per-item states;
* :mod:`simulator.kubernetes.fleet_cache`: the per-class totals, kept current node by node;
* :mod:`simulator.kubernetes.fleet_window`: the plugins computed over one cycle's window;
* :mod:`simulator.kubernetes.fleet_scan`: the scan order and counts over scan positions;
* :mod:`simulator.kubernetes.fleet_scores`: the resource-score formulas;
* this module: the cycle loop and the FailedScheduling texts. It re-exports the public names.

How the cycle avoids work:

* Pods are grouped into classes (profile, cpu, memory, storage). Per class, a node's resource
  scores and its filter verdict are kept in one array in scan order, doubled so that any window
  of the wrapping scan is one slice; an unusable node holds ``UNUSABLE``, below any total. An
  assume or a release changes one node, so one entry per class is recomputed, with the per-item
  formulas; the resource scores are remembered by node state (nodes go through the same few),
  and a node that fits every class skips the classes when its scores did not change.
* The plugins that are the same on every sampled node (spreading of an app with no pods in the
  sample, ImageLocality of an image no node holds widely enough, TaintToleration and
  NodeAffinity with nothing to prefer) are left out of the totals: a constant cannot change the
  winner or the tie. Otherwise they are computed over the window, from the per-app and
  per-image node maps.
* Each class keeps the sorted scan positions of its top-scored nodes. A window without other
  plugins that holds some of them has them as its tied winners, found by bisection; only other
  windows are reduced with numpy.
* The examined count comes from a sorted list of the class's unusable scan positions.

The one permitted difference is the tie-break: ``select_host`` replaces its choice with chance
1/k at the k-th tied node, which makes every top-scored node equally likely; here the winner is
the ``floor(u·k)``-th of the k tied nodes in scan order, ``u`` a uniform double from the
generator (bias ≤ k/2⁵³). Doubles are drawn in blocks of :data:`UNIFORM_BLOCK` and one is used
per tie only, so a clear winner uses none.

Modelled as Eirini sets its pods (§1.3): one container and at most one image per pod, a
StatefulSet owner (``app``; -1 for an ownerless pod such as a staging pod), a node selector and
tolerations (:class:`PodProfile`), no affinity terms and no explicit spread constraints.
A NotReady node (``ready`` false) carries the taints the node lifecycle controller gives it
(:data:`NOT_READY_TAINTS`, §3.7) after its own; a cordoned one is ``unschedulable``.

:class:`FleetNodes` is shared with the caller. The scheduler notices changes to its mutable
arrays (requests, pod counts, ``ready``, ``unschedulable``) at the start of every
:meth:`FleetScheduler.schedule`, and reads ``app_pods`` and ``images`` live (write new images
straight into ``images``); after changing labels, taints or allocatable resources call
:meth:`FleetScheduler.refresh`. Nodes cannot be added. A call compares each mutable array with
the copy taken at the last call in one ``memcmp``; only nodes that changed, through
:meth:`FleetScheduler.release` or the caller's writes, are recomputed, so small batches are
cheap too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from simulator.kubernetes.constants import (
    ERROR_NO_NODES_AVAILABLE,
    REASON_INSUFFICIENT,
    REASON_LEGACY_NODE_SELECTOR,
    REASON_LEGACY_TAINTS,
    REASON_NODE_AFFINITY,
    REASON_TOO_MANY_PODS,
    REASON_UNSCHEDULABLE,
    RESOURCE_CPU,
    RESOURCE_EPHEMERAL_STORAGE,
    RESOURCE_MEMORY,
    RESOURCE_PODS,
)
from simulator.kubernetes.filters import fit_error
from simulator.kubernetes.fleet_arrays import (
    NOT_READY_TAINTS,
    FleetNodes,
    FleetScheduleResult,
    PodBatch,
    PodProfile,
    ScheduledCycles,
    fleet_nodes,
    int_array,
    pod_batch,
    uniform_fleet_nodes,
)
from simulator.kubernetes.fleet_cache import (
    SCORE_MEMO_LIMIT,
    UNUSABLE,
    FleetCache,
    PodClass,
    SchedulerConfig,
    scheduler_settings,
)
from simulator.kubernetes.fleet_scan import examined_count, positions_between, scan_permutation
from simulator.kubernetes.fleet_scores import framework_resource_score, legacy_resource_score
from simulator.kubernetes.fleet_window import WindowTerms
from simulator.kubernetes.profiles import KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState

# The public names, importable from here as before the modules were split. SCORE_MEMO_LIMIT is
# a copy: set it on fleet_cache to change the memo's size.
__all__ = [
    "NOT_READY_TAINTS",
    "SCORE_MEMO_LIMIT",
    "UNIFORM_BLOCK",
    "UNUSABLE",
    "FleetCache",
    "FleetNodes",
    "FleetScheduleResult",
    "FleetScheduler",
    "PodBatch",
    "PodProfile",
    "ScheduledCycles",
    "SchedulerConfig",
    "examined_count",
    "fleet_nodes",
    "framework_resource_score",
    "legacy_resource_score",
    "pod_batch",
    "positions_between",
    "scan_permutation",
    "scheduler_settings",
    "uniform_fleet_nodes",
]

# Tie-break doubles drawn from the generator at a time.
UNIFORM_BLOCK = 4096


class FleetScheduler(WindowTerms):
    """Serial scheduling cycles over a :class:`FleetNodes` (see the module docstring)."""

    def __init__(
        self,
        nodes: FleetNodes,
        settings: KubeSchedulerSettings | SchedulerConfig,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(nodes, settings)
        self.rng = rng
        self.sampling = SamplingState()
        # Tie-break doubles drawn but not used yet, and the next one to use.
        self._uniforms: list[float] = []
        self._next_uniform = 0

    # -- the cycle ------------------------------------------------------------------------------

    def schedule(self, pods: PodBatch) -> FleetScheduleResult:
        """One scheduling cycle per pod, in order, each seeing the pods assumed before it."""
        count = len(pods)
        cycles = self.schedule_lists(
            (pods.app if pods.staging is None else np.where(pods.staging, -1, pods.app)).tolist(),
            pods.cpu_millis.tolist(),
            pods.memory_mb.tolist(),
            pods.storage_mb.tolist(),
            [-1] * count if pods.image is None else pods.image.tolist(),
            [0] * count if pods.profile is None else pods.profile.tolist(),
            pods.profiles,
        )
        return FleetScheduleResult(
            int_array(cycles.node),
            int_array(cycles.reason),
            cycles.texts,
            int_array(cycles.start),
            int_array(cycles.examined),
            int_array(cycles.feasible),
            int_array(cycles.tied),
        )

    def schedule_lists(
        self,
        apps: list[int],
        cpus: list[int],
        memories: list[int],
        storages: list[int],
        images: list[int],
        profile_of: list[int] | None = None,
        profiles: Sequence[PodProfile] = (PodProfile(),),
    ) -> ScheduledCycles:
        """:meth:`schedule` for a caller that holds its pods in lists (``apps`` -1 for an ownerless
        pod, ``images`` -1 for none): a small batch then costs no numpy conversions either way."""
        self._sync()
        count = len(apps)
        if profile_of is None:
            profile_of = [0] * count
        n, to_find = self._n, self._to_find
        result_node = [-1] * count
        result_reason = [-1] * count
        starts = [0] * count
        examined_of = [0] * count
        feasible_of = [0] * count
        tied_of = [0] * count
        texts: list[str] = []
        text_codes: dict[str, int] = {}
        if n == 0:
            texts.append(ERROR_NO_NODES_AVAILABLE)
            result_reason = [0] * count
            return ScheduledCycles(
                result_node, result_reason, texts, starts, examined_of, feasible_of, tied_of
            )

        # The classes of the last batch serve the next one if its profiles are the same.
        profile_keys = [profile.key for profile in profiles]
        if profile_keys != self._batch_profile_keys:
            self._batch_profile_keys, self._batch_classes = profile_keys, {}
        classes = self._batch_classes
        app_pods = self.nodes.app_pods
        node_images = self.nodes.images
        order2 = self._order2
        mixed_zoning = self._mixed_zoning
        uniforms, next_uniform = self._uniforms, self._next_uniform
        highest = np.maximum.reduce
        placed: list[int] = []
        start = self.sampling.next_start_node_index % n
        req_cpu, req_memory, req_storage = self._req_cpu, self._req_memory, self._req_storage
        pod_counts, without_cpu, without_memory = self._pods, self._without_cpu, self._without_memory
        messages, update_node = self._messages, self._update_node

        for i, app, cpu, memory, storage, image, profile in zip(
            range(count), apps, cpus, memories, storages, images, profile_of, strict=True
        ):
            key = (profile, cpu, memory, storage)
            cls = classes.get(key)
            if cls is None:
                cls = classes[key] = self._pod_class(profiles[profile], cpu, memory, storage)
            s = start
            unusable = cls.unusable
            if not unusable:
                examined = feasible = to_find
            elif n - len(unusable) < to_find:
                examined, feasible = n, n - len(unusable)
            else:
                examined, feasible = examined_count(unusable, s, to_find, n), to_find
            start = (s + examined) % n
            starts[i] = s
            examined_of[i] = examined
            feasible_of[i] = feasible
            if feasible == 0:
                text = self._fit_error(cls)
                code = text_codes.get(text)
                if code is None:
                    code = text_codes[text] = len(texts)
                    texts.append(text)
                result_reason[i] = code
                continue

            if feasible == 1:
                node, tied = order2[s + int(cls.base[s : s + examined].argmax())], 1
            else:
                # Most pods skip the window terms: their other plugins score every sampled node
                # alike. Most of those find some of the class's best nodes in their window.
                tops = cls.tops
                window = None
                if (
                    mixed_zoning
                    or app_pods.get(app)
                    or cls.profile.prefers
                    or ((held := node_images.get(image)) and self._image_may_score(held))
                ):
                    # None when the terms turn out the same on every sampled node after all
                    # (say the app has no pods in the window): then as for the other pods.
                    window = self._add_window_terms(
                        cls.base[s : s + examined],
                        cls,
                        app,
                        image,
                        s,
                        examined,
                        feasible,
                        app_pods,
                        node_images,
                    )
                if window is not None:
                    top = (window == highest(window)).nonzero()[0]
                    tied = len(top)
                elif tops and (found := positions_between(tops, s, examined, n))[1]:
                    top, (first, tied) = None, found
                else:
                    window = cls.base[s : s + examined]
                    top = (window == highest(window)).nonzero()[0]
                    tied = len(top)
                nth = 0
                if tied > 1:
                    if next_uniform == len(uniforms):
                        uniforms, next_uniform = self.rng.random(UNIFORM_BLOCK).tolist(), 0
                    nth = int(uniforms[next_uniform] * tied)
                    next_uniform += 1
                # The winner's scan position (plus n for a window offset past the end).
                position = tops[(first + nth) % len(tops)] if top is None else s + int(top[nth])
                node = order2[position]
            result_node[i] = node
            tied_of[i] = tied
            placed.append(node)
            # Assume the pod (inlined: one call fewer a cycle).
            req_cpu[node] += cpu
            req_memory[node] += memory
            req_storage[node] += storage
            pod_counts[node] += 1
            if cpu == 0:
                without_cpu[node] += 1
            if memory == 0:
                without_memory[node] += 1
            if app >= 0:
                counts = app_pods.get(app)
                if counts is None:
                    app_pods[app] = {node: 1}
                else:
                    counts[node] = counts.get(node, 0) + 1
            if messages:
                messages.clear()
            update_node(node)

        self._uniforms, self._next_uniform = uniforms, next_uniform
        self.sampling.next_start_node_index = start
        self._write_back(placed)
        return ScheduledCycles(result_node, result_reason, texts, starts, examined_of, feasible_of, tied_of)

    # -- FailedScheduling -----------------------------------------------------------------------

    def _fit_error(self, cls: PodClass) -> str:
        """``0/N nodes are available: ...``: every node was examined; each gives its first plugin's reasons."""
        key = (cls.profile.profile.key, cls.cpu, cls.memory, cls.storage)
        known = self._messages.get(key)
        if known is not None:
            return known
        legacy = self._legacy
        reasons: Counter[str] = Counter()
        for node in range(self._n):
            reasons.update(self._node_reasons(cls, node, legacy))
        text = fit_error(self._n, ([reason] for reason, times in reasons.items() for _ in range(times)))
        self._messages[key] = text
        return text

    def _node_reasons(self, cls: PodClass, node: int, legacy: bool) -> list[str]:
        """One node's rejection, in the profile's filter order (filters.py)."""
        profile = cls.profile
        if profile.cordoned[node]:
            return [REASON_UNSCHEDULABLE]
        resources = []
        if self._pods[node] + 1 > self._alloc_pods[node]:
            resources.append(
                REASON_INSUFFICIENT.format(resource=RESOURCE_PODS) if legacy else REASON_TOO_MANY_PODS
            )
        for resource, need, free in (
            (RESOURCE_CPU, cls.need_cpu, self._alloc_cpu[node] - self._req_cpu[node]),
            (RESOURCE_MEMORY, cls.need_memory, self._alloc_memory[node] - self._req_memory[node]),
            (
                RESOURCE_EPHEMERAL_STORAGE,
                cls.need_storage,
                self._alloc_storage[node] - self._req_storage[node],
            ),
        ):
            if need > free:
                resources.append(REASON_INSUFFICIENT.format(resource=resource))
        taint = profile.taint_reason[node]
        if legacy:
            general = resources + ([] if profile.selector_ok[node] else [REASON_LEGACY_NODE_SELECTOR])
            if general:
                return general
            return [REASON_LEGACY_TAINTS] if taint else []
        if taint:
            return [taint]
        if not profile.selector_ok[node]:
            return [REASON_NODE_AFFINITY]
        return resources
