"""Pre-flight: what in a valid scenario keeps it from converging, said before it runs.

:func:`~simulator.scenario.parse_scenario` refuses what is wrong. These are warnings about what
is allowed but cannot end well: an app larger than every cell it may use, more demand than the
cells offer (at all, or while a cell is out), placement tags or a stack no cell has, an app that
crashes at every start, an action on an app before it is pushed. Each names its place the way a
problem does (``apps[1].memory_mb: ...``) and the platforms it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.diego.constants import MINIMUM_STAGING_DISK_MB, MINIMUM_STAGING_MEMORY_MB
from simulator.scenario import PLATFORMS, AppSpec, CellSpec, Scenario

DIEGO_ONLY = ("diego",)


@dataclass(frozen=True, slots=True)
class PreflightWarning:
    path: str
    text: str
    # The schedulers it concerns: stacks and staging minimums are Diego's alone.
    platforms: tuple[str, ...] = PLATFORMS

    def __str__(self) -> str:
        return f"{self.path}: {self.text}"


def tags_match(cell: CellSpec, tags: tuple[str, ...]) -> bool:
    """Diego's rule, which Eirini's labels and taints reproduce: the cell's required tags ⊆ the
    app's tags ⊆ the cell's required ∪ optional tags (simulator/diego/auction.py)."""
    wanted = set(tags)
    required = set(cell.placement_tags)
    return required <= wanted <= required | set(cell.optional_placement_tags)


def preflight(scenario: Scenario) -> list[PreflightWarning]:
    """Every warning for ``scenario``, apps first, then capacity, then the timeline."""
    warnings: list[PreflightWarning] = []
    pushed = _push_times(scenario)
    for i, app in enumerate(scenario.apps):
        warnings.extend(_app_warnings(scenario, i, app, pushed))
    warnings.extend(_capacity_warnings(scenario, pushed))
    warnings.extend(_timeline_warnings(scenario, pushed))
    return warnings


def _push_times(scenario: Scenario) -> dict[str, float]:
    times: dict[str, float] = {}
    for action in scenario.timeline:
        if action.action == "push":
            times.setdefault(action.app, action.at)
    return times


def _hosts(scenario: Scenario, app: AppSpec, *, diego: bool) -> list[CellSpec]:
    """The cells the app may land on: by tags everywhere, and on Diego by stack as well."""
    return [
        cell
        for cell in scenario.cells
        if tags_match(cell, app.placement_tags) and (not diego or app.stack in cell.stacks)
    ]


def _app_warnings(
    scenario: Scenario, i: int, app: AppSpec, pushed: dict[str, float]
) -> list[PreflightWarning]:
    path = f"apps[{i}]"
    warnings: list[PreflightWarning] = []
    if app.name not in pushed:
        warnings.append(
            PreflightWarning(path, f"{app.name} is never pushed: the timeline has no push for it")
        )
    if app.boot_s > app.health_check.timeout_s:
        warnings.append(
            PreflightWarning(
                f"{path}.boot_s",
                f"{app.name} takes {app.boot_s:g} s to start but its health check gives up after "
                f"{app.health_check.timeout_s:g} s: it crashes at every start and never runs",
            )
        )
    tagged = _hosts(scenario, app, diego=False)
    if not tagged:
        wanted = ", ".join(app.placement_tags) if app.placement_tags else "no placement tags"
        warnings.append(
            PreflightWarning(
                f"{path}.placement_tags",
                f"no cell takes work with {wanted}: {app.name} can never be placed",
            )
        )
        return warnings
    warnings.extend(_size_warnings(path, app, tagged, PLATFORMS))
    on_diego = _hosts(scenario, app, diego=True)
    if not on_diego:
        warnings.append(
            PreflightWarning(
                f"{path}.stack",
                f"no cell {'it may use ' if app.placement_tags else ''}has the stack {app.stack}: "
                f"Diego can never stage or place {app.name}",
                DIEGO_ONLY,
            )
        )
        return warnings
    proxy = scenario.diego.proxy_memory_mb
    largest = max(cell.memory_mb for cell in on_diego)
    if proxy and app.memory_mb <= largest < app.memory_mb + proxy:
        warnings.append(
            PreflightWarning(
                f"{path}.memory_mb",
                f"{app.name} needs {app.memory_mb + proxy:,} MB per instance with Diego's "
                f"{proxy:,} MB proxy, but no cell has more than {largest:,} MB",
                DIEGO_ONLY,
            )
        )
    staging_memory = max(app.memory_mb, MINIMUM_STAGING_MEMORY_MB)
    staging_disk = max(app.disk_mb, MINIMUM_STAGING_DISK_MB)
    if not any(c.memory_mb >= staging_memory and c.disk_mb >= staging_disk for c in on_diego):
        warnings.append(
            PreflightWarning(
                path,
                f"staging {app.name} needs a cell with {staging_memory:,} MB of memory and "
                f"{staging_disk:,} MB of disk (Cloud Controller's minimums): none has both",
                DIEGO_ONLY,
            )
        )
    return warnings


def _size_warnings(
    path: str, app: AppSpec, hosts: list[CellSpec], platforms: tuple[str, ...]
) -> list[PreflightWarning]:
    warnings = []
    scope = "it may use " if app.placement_tags else ""
    for field, need, have in (
        ("memory_mb", app.memory_mb, max(c.memory_mb for c in hosts)),
        ("disk_mb", app.disk_mb, max(c.disk_mb for c in hosts)),
    ):
        if need > have:
            what = "memory" if field == "memory_mb" else "disk"
            warnings.append(
                PreflightWarning(
                    f"{path}.{field}",
                    f"{app.name} needs {need:,} MB of {what} per instance but no cell {scope}has more "
                    f"than {have:,} MB: it can never be placed",
                    platforms,
                )
            )
    return warnings


def _peak_instances(scenario: Scenario) -> dict[str, int]:
    """Each pushed app's largest desired instance count over the timeline."""
    pushed = _push_times(scenario)
    peak = {app.name: app.instances for app in scenario.apps if app.name in pushed}
    for action in scenario.timeline:
        if action.action == "scale" and action.app in peak and action.instances is not None:
            peak[action.app] = max(peak[action.app], action.instances)
    return peak


def _shortfall(
    scenario: Scenario, peak: dict[str, int], cells: list[CellSpec]
) -> tuple[str, int, int] | None:
    """The first resource the apps need more of than ``cells`` offer, as (what, need, have).

    For each set of cells some app is confined to, the apps confined within it must fit in it:
    a necessary condition for every instance to be placed, so a shortfall is certain."""
    names = {cell.name for cell in cells}
    pools: dict[frozenset[str], list[AppSpec]] = {}
    for app in scenario.apps:
        if app.name in peak:
            hosts = frozenset(c.name for c in _hosts(scenario, app, diego=False))
            # An app no cell takes at all has its own warning already.
            if hosts:
                pools.setdefault(hosts & names, []).append(app)
    for pool in sorted(pools, key=len, reverse=True):
        apps = [app for hosts, group in pools.items() if hosts <= pool for app in group]
        offered = [c for c in cells if c.name in pool]
        for what, need, have in (
            (
                "MB of memory",
                sum(peak[a.name] * a.memory_mb for a in apps),
                sum(c.memory_mb for c in offered),
            ),
            ("MB of disk", sum(peak[a.name] * a.disk_mb for a in apps), sum(c.disk_mb for c in offered)),
            ("containers", sum(peak[a.name] for a in apps), sum(c.max_containers for c in offered)),
        ):
            if need > have:
                return what, need, have
    return None


def _capacity_warnings(scenario: Scenario, pushed: dict[str, float]) -> list[PreflightWarning]:
    peak = _peak_instances(scenario)
    shortfall = _shortfall(scenario, peak, list(scenario.cells))
    if shortfall is not None:
        what, need, have = shortfall
        return [
            PreflightWarning(
                "cells",
                f"the apps need {need:,} {what} at their peak but the cells they may use offer "
                f"{have:,}: some instances can never be placed",
            )
        ]
    warnings = []
    for i, action in enumerate(scenario.timeline):
        out = _cells_out(scenario, action.action, action.cell, action.max_in_flight)
        if not out:
            continue
        shortfall = _shortfall(scenario, peak, [c for c in scenario.cells if c.name not in out])
        if shortfall is None:
            continue
        what, need, have = shortfall
        warnings.append(
            PreflightWarning(
                f"timeline[{i}]",
                f"{_while_out(action.action, out, action.recover_after_s)}, the other cells offer "
                f"{have:,} {what} for {need:,} needed: some instances "
                + (
                    "can never all be placed again"
                    if action.action == "fail" and action.recover_after_s is None
                    else "wait until it is back"
                ),
            )
        )
    return warnings


def _while_out(kind: str, out: set[str], recover_after_s: float | None) -> str:
    names = ", ".join(sorted(out))
    if kind == "evacuate":
        return f"while {names} is evacuated and restarting"
    if kind == "fail":
        return f"after {names} fails" if recover_after_s is None else f"while {names} is down"
    return f"while the rootfs rollout has {names} out"


def _cells_out(scenario: Scenario, kind: str, cell: str, max_in_flight: int) -> set[str]:
    if kind in ("evacuate", "fail"):
        return {cell}
    if kind == "rootfs":
        # The rollout takes max_in_flight cells at once; the largest ones are the worst case.
        largest = sorted(scenario.cells, key=lambda c: (c.memory_mb, c.disk_mb), reverse=True)
        return {c.name for c in largest[:max_in_flight]}
    return set()


def _timeline_warnings(scenario: Scenario, pushed: dict[str, float]) -> list[PreflightWarning]:
    warnings = []
    instances = {app.name: app.instances for app in scenario.apps}
    # The timeline is in time order, as a canonical file and the editor list it.
    for i, action in enumerate(scenario.timeline):
        path = f"timeline[{i}]"
        if action.action in ("scale", "stop", "crash"):
            at = pushed.get(action.app)
            if at is None or action.at < at:
                warnings.append(
                    PreflightWarning(
                        path, f"{action.describe()} at {action.at:g} s comes before {action.app} is pushed"
                    )
                )
        if action.action == "scale" and action.instances is not None:
            instances[action.app] = action.instances
        if action.action == "crash" and action.index is not None and action.index >= instances[action.app]:
            warnings.append(
                PreflightWarning(
                    f"{path}.index",
                    f"{action.app} has {instances[action.app]} instance(s) then: there is no instance "
                    f"{action.index} to crash",
                )
            )
    return warnings
