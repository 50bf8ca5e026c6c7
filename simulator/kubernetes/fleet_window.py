"""The score plugins that are not the same on every sampled node, over one cycle's window.

Spreading (SelectorSpreadPriority in legacy mode, PodTopologySpread with the system defaults in
framework mode), TaintToleration's PreferNoSchedule counts and ImageLocality: computed over the
window only for a pod whose app has pods there, whose profile tolerates differently, or whose
image is held widely enough; otherwise they are constant over the window and left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from simulator.kubernetes.constants import (
    BYTES_PER_MB,
    IMAGE_MAX_CONTAINER_THRESHOLD_BYTES,
    IMAGE_MIN_THRESHOLD_BYTES,
    MAX_NODE_SCORE,
    MAX_PRIORITY_LEGACY,
    SELECTOR_SPREAD_ZONE_WEIGHTING,
    SYSTEM_DEFAULT_HOSTNAME_MAX_SKEW,
    SYSTEM_DEFAULT_ZONE_MAX_SKEW,
)
from simulator.kubernetes.fleet_cache import USABLE_ABOVE, FleetCache, PodClass
from simulator.kubernetes.spreading import topology_normalizing_weight


class WindowTerms(FleetCache):
    """Adds the window terms to a class's totals (see the module docstring)."""

    def _add_window_terms(
        self,
        window: np.ndarray,
        cls: PodClass,
        app: int,
        image: int,
        start: int,
        length: int,
        feasible: int,
        app_pods: dict[int, dict[int, int]],
        node_images: dict[int, dict[int, int]],
    ) -> np.ndarray | None:
        """The window's totals: ``window`` plus spreading, ImageLocality and TaintToleration where
        they vary; None if none varies (``window`` is then the totals)."""
        base = window
        counts = app_pods.get(app) if app >= 0 else None
        spread = None
        if self._legacy:
            if counts or self._mixed_zoning:
                spread = self._selector_spread(window, counts or {}, start, length, feasible)
        elif counts or (self._mixed_zoning and app >= 0):
            spread = self._topology_spread(window, cls, counts or {}, start, length, feasible)
        if spread is not None:
            window = window + spread
        if cls.profile.prefers:
            taints = self._taint_toleration(window, cls, start, length)
            if taints is not None:
                window = window + self._taint_weight * taints
        holders = node_images.get(image) if image >= 0 else None
        if holders:
            window = self._image_locality(window, holders, start, length)
        return None if window is base else window

    def _in_window(
        self, window: np.ndarray, counts: Mapping[int, int], start: int, length: int
    ) -> list[tuple[int, int, int]]:
        """(offset, pods, node) of the app's nodes that the scan found feasible."""
        n, pos_of = self._n, self._pos_of
        found = []
        for node, pods in counts.items():
            if pods > 0:
                offset = (pos_of[node] - start) % n
                if offset < length and window[offset] > USABLE_ABOVE:
                    found.append((offset, pods, node))
        return found

    def _window_zone_counts(self, window: np.ndarray, start: int, length: int, feasible: int) -> list[int]:
        """Feasible nodes per zone index in the window."""
        zones = self._zone_scan2[start : start + length]
        if length != feasible:
            return np.bincount(zones[window > USABLE_ABOVE], minlength=len(self._named)).tolist()
        # Every examined node is feasible: the answer depends on the window alone.
        key = (start, length)
        known = self._zones_of_window.get(key)
        if known is None:
            known = self._zones_of_window[key] = np.bincount(zones, minlength=len(self._named)).tolist()
        return known

    def _selector_spread(
        self, window: np.ndarray, counts: Mapping[int, int], start: int, length: int, feasible: int
    ) -> np.ndarray | None:
        """SelectorSpreadPriority × weight over the window (``selector_spread_normalize``); None if uniform."""
        found = self._in_window(window, counts, start, length)
        if not found and not self._mixed_zoning:
            return None
        zone_of, named = self._zone_of, self._named
        if self._mixed_zoning:
            zone_counts = self._window_zone_counts(window, start, length, feasible)
            any_zoned = any(named[z] and c for z, c in enumerate(zone_counts))
        else:
            # Every node's zone is named, or none is: so are the feasible ones in the window.
            any_zoned = self._any_named
        max_by_node = max((pods for _, pods, _ in found), default=0)
        by_zone: dict[int, int] = {}
        for _, pods, node in found:
            if named[zone_of[node]]:
                by_zone[zone_of[node]] = by_zone.get(zone_of[node], 0) + pods
        max_by_zone = max(by_zone.values(), default=0)
        top = float(MAX_PRIORITY_LEGACY)
        weight = self._spread_weight

        def score(pods: int, zone: int) -> int:
            value = top
            if max_by_node > 0:
                value = top * ((max_by_node - pods) / max_by_node)
            if any_zoned and named[zone]:
                zone_score = top
                if max_by_zone > 0:
                    zone_score = top * ((max_by_zone - by_zone.get(zone, 0)) / max_by_zone)
                value = (value * (1.0 - SELECTOR_SPREAD_ZONE_WEIGHTING)) + (
                    SELECTOR_SPREAD_ZONE_WEIGHTING * zone_score
                )
            return int(value) * weight

        table = np.array([score(0, z) for z in range(len(named))], dtype=np.int64)
        term = table[self._zone_scan2[start : start + length]]
        for offset, pods, node in found:
            term[offset] = score(pods, zone_of[node])
        return term

    def _topology_spread(
        self,
        window: np.ndarray,
        cls: PodClass,
        counts: Mapping[int, int],
        start: int,
        length: int,
        feasible: int,
    ) -> np.ndarray:
        """PodTopologySpread × weight with the system defaults (``spread_raw_score``, ``spread_normalize``)."""
        zone_of, named = self._zone_of, self._named
        per_zone = self._window_zone_counts(window, start, length, feasible)
        host_weight = topology_normalizing_weight(feasible)
        zone_weight = topology_normalizing_weight(sum(1 for c in per_zone if c))
        selector_ok = cls.profile.selector_ok
        by_zone = [0] * len(named)
        for node, pods in counts.items():
            if pods > 0 and selector_ok[node]:
                by_zone[zone_of[node]] += pods

        def raw(pods: int, zone: int) -> int:
            score = 0.0
            score += pods * host_weight + (SYSTEM_DEFAULT_HOSTNAME_MAX_SKEW - 1)
            if named[zone]:
                score += by_zone[zone] * zone_weight + (SYSTEM_DEFAULT_ZONE_MAX_SKEW - 1)
            return math.floor(score + 0.5)

        # Nodes without the app's pods score by their zone alone; the app's nodes one by one.
        zone_raw = [raw(0, z) for z in range(len(named))]
        others = list(per_zone)
        found = []
        for offset, pods, node in self._in_window(window, counts, start, length):
            found.append((offset, raw(pods, zone_of[node])))
            others[zone_of[node]] -= 1
        counted = [zone_raw[z] for z, c in enumerate(others) if c] + [value for _, value in found]
        low, high = min(counted), max(counted)
        weight = self._spread_weight

        def normalized(value: int) -> int:
            return weight * (MAX_NODE_SCORE if high == 0 else MAX_NODE_SCORE * (high + low - value) // high)

        table = np.array([normalized(value) for value in zone_raw], dtype=np.int64)
        term = table[self._zone_scan2[start : start + length]]
        for offset, value in found:
            term[offset] = normalized(value)
        return term

    def _taint_toleration(
        self, window: np.ndarray, cls: PodClass, start: int, length: int
    ) -> np.ndarray | None:
        """TaintToleration: fewer untolerated PreferNoSchedule taints score higher; None if uniform."""
        prefer = cls.profile.prefer_scan[start : start + length]
        highest = int(prefer[window > USABLE_ABOVE].max())
        if highest == 0:
            return None
        return self._max_score - self._max_score * prefer // highest

    def _image_may_score(self, holders: Mapping[int, int]) -> bool:
        """Whether ImageLocality scores any holder: its biggest copy, scaled by the spread, passes the floor."""
        if not holders:
            return False
        spread = len(holders) / self._n
        return int(max(holders.values()) * BYTES_PER_MB * spread) > IMAGE_MIN_THRESHOLD_BYTES

    def _image_locality(
        self, window: np.ndarray, holders: Mapping[int, int], start: int, length: int
    ) -> np.ndarray:
        """ImageLocality of the pod's one image: nonzero only where it is held and widespread enough."""
        n, pos_of = self._n, self._pos_of
        spread = len(holders) / n
        high = IMAGE_MAX_CONTAINER_THRESHOLD_BYTES  # one container, in both modes
        copied = False
        for node, size in holders.items():
            total = int(size * BYTES_PER_MB * spread)
            if total <= IMAGE_MIN_THRESHOLD_BYTES:
                continue
            offset = (pos_of[node] - start) % n
            if offset >= length or window[offset] <= USABLE_ABOVE:
                continue
            clamped = min(total, high)
            score = (
                self._max_score * (clamped - IMAGE_MIN_THRESHOLD_BYTES) // (high - IMAGE_MIN_THRESHOLD_BYTES)
            )
            if not copied:
                window, copied = window.copy(), True
            window[offset] += self._image_weight * score
        return window
