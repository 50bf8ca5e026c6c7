"""The scenario spec: zones, cells, apps, a timeline of actions, timing parameters and narration.

A scenario is plain data, usually loaded from JSON. :func:`parse_scenario` checks all of it and
raises :class:`ScenarioError` with *every* problem found, each with its path
(``apps[2].memory_mb: must be > 0``), so an author can fix a file in one go.

Every duration the reference documents (health-check interval, convergence period, ...) is a
named constant in the platform package. Durations the real systems leave to the environment
(container creation, download bandwidth, staging compile time, network and API latency) are
:class:`Timing` parameters here, with documented defaults and a jitter fraction drawn from the
run's generator.

Narration (chapters of captions for a teacher's story) is checked like the rest but never read
by a run: it is for the run page.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

NAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
HEALTH_CHECK_TYPES = ("port", "http", "process")
# What each timeline action names besides its time: the developer's (push, scale, stop, crash
# an instance) and the operator's (evacuate or drain a cell, fail one, roll out a new rootfs).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "push": ("app",),
    "scale": ("app", "instances"),
    "stop": ("app",),
    "crash": ("app", "index"),
    "evacuate": ("cell",),
    "fail": ("cell", "recover_after_s"),
    "rootfs": ("version", "max_in_flight"),
}
ACTIONS = tuple(ACTION_FIELDS)
OPTIONAL_ACTION_FIELDS = {"recover_after_s", "max_in_flight"}
PLATFORMS = ("diego", "eirini")
# What a narration step can wait for besides a time: the moment a run first shows the event,
# and what it is about. App events are Cloud Controller's app states (``app-running``: every
# instance runs); cell events are the cell's (or node's) state; ``all-running``: every instance
# of every app runs; ``converged``: the platform has caught up with the latest action.
NARRATION_EVENTS: dict[str, str | None] = {
    "app-pushing": "app",
    "app-staging": "app",
    "app-starting": "app",
    "app-running": "app",
    "app-stopped": "app",
    "all-running": None,
    "cell-evacuating": "cell",
    "cell-restarting": "cell",
    "cell-failed": "cell",
    "converged": None,
}
KUBE_SCHEDULER_MODES = ("legacy-2019", "framework")
# How a run simulates the scenario (docs/fleet.md §1): every message and state change of every
# instance, or per-instance arrays aggregated per cell, for Diego's 250,000-instance scale.
MODES = ("auto", "detailed", "fleet")
# ``auto`` runs a scenario pushing more instances than this in fleet mode.
FLEET_THRESHOLD = 10_000

# Cloud Controller's default and maximum health-check timeouts (diego.md §2.3).
DEFAULT_HEALTH_CHECK_TIMEOUT_S = 60.0
MAX_HEALTH_CHECK_TIMEOUT_S = 180.0
# Limits that keep a hand-written scenario within what a browser and a run can show.
MAX_CELLS = 5000
MAX_INSTANCES_PER_APP = 100_000
MAX_COPIES = 100_000
# A fleet run's arrays hold every instance: a bound that keeps one run within a few hundred MB.
MAX_FLEET_INSTANCES = 1_000_000
MAX_DURATION_S = 7 * 24 * 3600.0
MAX_CHAPTER_CHARS = 100
MAX_NARRATION_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Timing:
    """Durations the reference does not fix: assumptions, each a parameter with a default."""

    # One network hop between components (request or reply), seconds.
    network_latency_s: float = 0.002
    # Time an API server (UAA, Cloud Controller, BBS) spends handling one request.
    api_latency_s: float = 0.03
    # One write or read of the BBS or Cloud Controller database.
    db_latency_s: float = 0.004
    # The auctioneer's parallel fetch of every cell's state (bounded by the 10 s timeout).
    cell_state_fetch_s: float = 0.05
    # Garden creating an empty container (and the executor its cached dependencies).
    container_create_s: float = 1.5
    # Bandwidth of one download from, or upload to, the blobstore, MB/s.
    blobstore_bandwidth_mb_s: float = 80.0
    # Buildpack detect and compile in the staging container, when the app does not say.
    staging_compile_s: float = 20.0
    # Uploading the app's bits from the developer's machine to Cloud Controller, MB/s.
    upload_bandwidth_mb_s: float = 20.0
    # Graceful stop of a container (SIGTERM to exit); at most the 10 s Diego allows.
    graceful_stop_s: float = 1.0
    # A drained or upgraded cell (or node) restarting its jobs before it takes work again.
    cell_restart_s: float = 60.0
    # How often the cf CLI polls Cloud Controller while it waits for staging and start.
    cli_poll_interval_s: float = 2.0
    # Every duration above is spread uniformly by ±jitter (0 turns jitter off).
    jitter: float = 0.1


@dataclass(frozen=True, slots=True)
class DiegoSettings:
    """Deployment settings of the auctioneer and rep; defaults are diego-release's (diego.md §1.11)."""

    starting_container_weight: float = 0.25
    bin_pack_first_fit_weight: float = 0.0
    starting_container_count_maximum: int = 0
    # Envoy proxy memory added to LRPs when scoring; 0 unless containers.proxy.enabled (§1.5).
    proxy_memory_mb: int = 0


@dataclass(frozen=True, slots=True)
class EiriniSettings:
    """Eirini (2019) on Kubernetes. Sources in kubernetes-eirini.md; the rest are assumptions."""

    # kube-scheduler's algorithm: the 2019 predicates/priorities (0–10) the talk compares, or
    # today's framework (0–100) (§2.2).
    scheduler: str = "legacy-2019"
    # percentageOfNodesToScore; 0 is the adaptive default (§2.4).
    percentage_of_nodes_to_score: int = 0
    # Allocatable CPU of every node; cells carry no CPU figure. Assumption.
    node_cpu_millis: int = 8000
    # bits-service, the registry serving droplets as images: requests served at once, and the
    # bandwidth of each. Assumptions; this is the staging and pull bottleneck the talk reports.
    registry_concurrency: int = 4
    registry_bandwidth_mb_s: float = 40.0
    # bits-service re-tars and re-hashes the droplet on every manifest GET (§1.7). Assumption.
    registry_repack_mb_s: float = 60.0
    # The eirinifs rootfs layer every app image shares (~900 MB, talk.md §6).
    rootfs_layer_mb: float = 900.0
    # The staging Job's downloader, executor and uploader images. Assumption.
    staging_images_mb: float = 250.0
    # The container runtime creating and starting a container once its image is there. Assumption.
    container_start_s: float = 1.0
    # One kube-scheduler cycle (filter, score, assume) for one pod. Assumption.
    scheduling_cycle_s: float = 0.003
    # PodDisruptionBudgets (§3.6): minAvailable for apps of 2+ instances; 0 = none, as in 2019.
    pdb_min_available: int = 0


@dataclass(frozen=True, slots=True)
class FleetSettings:
    """How a fleet run pushes its apps (docs/fleet.md). Assumptions, documented in docs/scenarios.md."""

    # cf push sessions at once: each pushes its share of the apps one after the other and waits
    # for every instance to run before the next, as the cf CLI does (the 250k test pushed "N
    # batches at a time", performance.md §1).
    push_concurrency: int = 1000
    # Cloud Controller requests of one push before staging (create app, map route, upload).
    push_api_calls: int = 6


@dataclass(frozen=True, slots=True)
class CellSpec:
    name: str
    zone: str
    memory_mb: int = 32768
    disk_mb: int = 65536
    max_containers: int = 250
    stacks: tuple[str, ...] = ("cflinuxfs4",)
    placement_tags: tuple[str, ...] = ()
    optional_placement_tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HealthCheck:
    type: str = "port"
    timeout_s: float = DEFAULT_HEALTH_CHECK_TIMEOUT_S


@dataclass(frozen=True, slots=True)
class CrashPattern:
    """The app's process exits this long after each start, drawn uniformly (the 250k test's
    crashing apps crash between 30 s and 6 minutes, performance.md §1)."""

    min_s: float
    max_s: float


@dataclass(frozen=True, slots=True)
class AppSpec:
    name: str
    instances: int = 1
    memory_mb: int = 256
    disk_mb: int = 1024
    stack: str = "cflinuxfs4"
    buildpack: str = "ruby_buildpack"
    package_mb: float = 5.0
    droplet_mb: float = 60.0
    boot_s: float = 4.0
    staging_s: float | None = None
    health_check: HealthCheck = field(default_factory=HealthCheck)
    placement_tags: tuple[str, ...] = ()
    route: str | None = None
    crash: CrashPattern | None = None
    # Push this app this many times, as separate apps ``<name>-0``, ``<name>-1``, … (fleet mode).
    copies: int = 1

    @property
    def hostname(self) -> str:
        return self.route or f"{self.name}.apps.example.com"


@dataclass(frozen=True, slots=True)
class Action:
    at: float
    action: str
    app: str = ""
    instances: int | None = None
    index: int | None = None
    cell: str = ""
    recover_after_s: float | None = None
    version: str = ""
    max_in_flight: int = 1

    def describe(self) -> str:
        """The action in an operator's or developer's words, for logs and the timeline."""
        return {
            "push": f"cf push {self.app}",
            "scale": f"cf scale {self.app} -i {self.instances}",
            "stop": f"cf stop {self.app}",
            "crash": f"crash {self.app}/{self.index}",
            "evacuate": f"evacuate {self.cell}",
            "fail": f"fail {self.cell}",
            "rootfs": f"roll out rootfs {self.version}",
        }[self.action]


@dataclass(frozen=True, slots=True)
class NarrationStep:
    """A caption the run page shows for a teacher's story: at a time, or when an event first
    happens; ``pause`` stops the player there until the viewer goes on. Runs ignore it."""

    chapter: str
    text: str
    at: float | None = None
    event: str | None = None
    app: str = ""
    cell: str = ""
    pause: bool = False


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    zones: tuple[str, ...]
    cells: tuple[CellSpec, ...]
    apps: tuple[AppSpec, ...]
    timeline: tuple[Action, ...]
    description: str = ""
    seed: int = 1
    duration_s: float = 900.0
    platforms: tuple[str, ...] = ("diego",)
    timing: Timing = field(default_factory=Timing)
    diego: DiegoSettings = field(default_factory=DiegoSettings)
    eirini: EiriniSettings = field(default_factory=EiriniSettings)
    narration: tuple[NarrationStep, ...] = ()
    mode: str = "auto"
    fleet: FleetSettings = field(default_factory=FleetSettings)

    @property
    def instance_count(self) -> int:
        """Instances the scenario's apps ask for, every copy counted."""
        return sum(app.instances * app.copies for app in self.apps)

    @property
    def is_fleet(self) -> bool:
        """Whether a run simulates this scenario in fleet mode (docs/fleet.md §1)."""
        return fleet_mode(self.mode, self.apps)

    def app(self, name: str) -> AppSpec:
        for app in self.apps:
            if app.name == name:
                return app
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


class ScenarioError(ValueError):
    """A scenario with problems; ``problems`` lists each as ``path: what is wrong``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid scenario:\n" + "\n".join(f"- {p}" for p in problems))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Checker:
    """Reads typed fields out of untrusted data, collecting problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, text: str) -> None:
        # The document itself has no path of its own; name it so a problem never starts with ":".
        self.problems.append(f"{path or 'scenario'}: {text}")

    def mapping(self, data: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.problem(path, f"must be an object, not {_type_name(data)}")
            return {}
        for key in sorted(set(data) - allowed, key=str):
            self.problem(f"{path}.{key}" if path else key, "unknown field")
        return data

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        default: float | None,
        *,
        minimum: float | None = None,
        positive: bool = False,
        maximum: float | None = None,
        integer: bool = False,
    ) -> Any:
        where = f"{path}.{key}" if path else key
        if key not in data:
            if default is None:
                self.problem(where, "is required")
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, f"must be a number, not {_type_name(value)}")
            return default
        try:
            float(value)
        except OverflowError:
            # An integer beyond the float range (JSON allows any length); float() would raise later.
            self.problem(where, "must be a finite number")
            return default
        if integer and not float(value).is_integer():
            self.problem(where, "must be a whole number")
            return default
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(where, "must be a finite number")
            return default
        if positive and value <= 0:
            self.problem(where, "must be > 0")
            return default
        if minimum is not None and value < minimum:
            self.problem(where, f"must be >= {minimum:g}")
            return default
        if maximum is not None and value > maximum:
            self.problem(where, f"must be <= {maximum:g}")
            return default
        return int(value) if integer else float(value)

    def string(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        default: str | None,
        *,
        pattern: re.Pattern[str] | None = None,
        choices: tuple[str, ...] | None = None,
    ) -> Any:
        where = f"{path}.{key}" if path else key
        if key not in data:
            if default is None:
                self.problem(where, "is required")
            return default
        value = data[key]
        if not isinstance(value, str):
            self.problem(where, f"must be a string, not {_type_name(value)}")
            return default
        if choices is not None and value not in choices:
            self.problem(where, f"must be one of {', '.join(choices)}, not {value!r}")
            return default
        if pattern is not None and not pattern.match(value):
            self.problem(
                where,
                f"{value!r} must be lower-case letters, digits and hyphens (at most 63)",
            )
            return default
        return value

    def strings(self, data: dict[str, Any], key: str, path: str, default: tuple[str, ...]) -> tuple[str, ...]:
        where = f"{path}.{key}" if path else key
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(where, "must be a list of non-empty strings")
            return default
        if len(set(value)) != len(value):
            self.problem(where, "must not repeat a value")
        return tuple(value)

    def items(self, data: dict[str, Any], key: str, required: bool = True) -> list[Any]:
        if key not in data:
            if required:
                self.problem(key, "is required")
            return []
        value = data[key]
        if not isinstance(value, list):
            self.problem(key, f"must be a list, not {_type_name(value)}")
            return []
        return value


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _field_names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


SETTING_CHOICES = {"scheduler": KUBE_SCHEDULER_MODES}
# Fleet mode replays pushes only; the operations of issue 4 need the detailed model.
FLEET_ACTIONS = ("push",)


def _parse_settings(check: _Checker, data: dict[str, Any], key: str, cls: type) -> Any:
    raw = check.mapping(data.get(key, {}), key, _field_names(cls))
    defaults = cls()
    values: dict[str, Any] = {}
    for f in fields(cls):
        default = getattr(defaults, f.name)
        if isinstance(default, str):
            values[f.name] = check.string(raw, f.name, key, default, choices=SETTING_CHOICES[f.name])
            continue
        integer = isinstance(default, int) and not isinstance(default, bool)
        # Fractions and latencies may be zero; everything else that is a duration must be > 0.
        may_be_zero = f.name in {
            "jitter",
            "bin_pack_first_fit_weight",
            "starting_container_weight",
            "starting_container_count_maximum",
            "proxy_memory_mb",
            "network_latency_s",
            "api_latency_s",
            "db_latency_s",
            "cell_state_fetch_s",
            "percentage_of_nodes_to_score",
            "pdb_min_available",
        }
        maximum = {"jitter": 1.0, "bin_pack_first_fit_weight": 1.0, "percentage_of_nodes_to_score": 100}.get(
            f.name
        )
        values[f.name] = check.number(
            raw,
            f.name,
            key,
            default,
            minimum=0 if may_be_zero else None,
            positive=not may_be_zero,
            maximum=maximum,
            integer=integer,
        )
    return cls(**values)


def parse_scenario(data: Any) -> Scenario:
    """Build a :class:`Scenario` from plain data, or raise :class:`ScenarioError` listing every problem."""
    check = _Checker()
    top_fields = _field_names(Scenario)
    root = check.mapping(data, "", top_fields)
    if not root and not isinstance(data, dict):
        raise ScenarioError(check.problems or ["scenario: must be an object"])

    name = check.string(root, "name", "", None)
    description = check.string(root, "description", "", "")
    seed = check.number(root, "seed", "", 1, minimum=0, integer=True)
    duration = check.number(root, "duration_s", "", 900.0, positive=True, maximum=MAX_DURATION_S)
    platforms = check.strings(root, "platforms", "", ("diego",))
    for platform in platforms:
        if platform not in PLATFORMS:
            check.problem("platforms", f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})")

    zones = check.strings(root, "zones", "", ())
    if "zones" not in root:
        check.problem("zones", "is required")
    elif not zones:
        check.problem("zones", "must name at least one zone")

    cells: list[CellSpec] = []
    raw_cells = check.items(root, "cells")
    if "cells" in root and not raw_cells:
        check.problem("cells", "must list at least one cell")
    if len(raw_cells) > MAX_CELLS:
        check.problem("cells", f"at most {MAX_CELLS} cells, not {len(raw_cells)}")
        raw_cells = []
    cell_names: set[str] = set()
    for i, raw in enumerate(raw_cells):
        path = f"cells[{i}]"
        c = check.mapping(raw, path, _field_names(CellSpec))
        cell_name = check.string(c, "name", path, None, pattern=NAME_PATTERN)
        if cell_name is not None and cell_name in cell_names:
            check.problem(f"{path}.name", f"another cell is already named {cell_name!r}")
        cell_names.add(cell_name)
        zone = check.string(c, "zone", path, None)
        if zone is not None and zones and zone not in zones:
            check.problem(f"{path}.zone", f"unknown zone {zone!r} (zones: {', '.join(zones)})")
        stacks = check.strings(c, "stacks", path, ("cflinuxfs4",))
        if "stacks" in c and not stacks:
            check.problem(f"{path}.stacks", "must name at least one stack")
        cells.append(
            CellSpec(
                name=cell_name or f"cell-{i}",
                zone=zone or "",
                memory_mb=check.number(c, "memory_mb", path, 32768, positive=True, integer=True),
                disk_mb=check.number(c, "disk_mb", path, 65536, positive=True, integer=True),
                max_containers=check.number(c, "max_containers", path, 250, positive=True, integer=True),
                stacks=stacks,
                placement_tags=check.strings(c, "placement_tags", path, ()),
                optional_placement_tags=check.strings(c, "optional_placement_tags", path, ()),
            )
        )

    apps: list[AppSpec] = []
    raw_apps = check.items(root, "apps")
    app_names: set[str] = set()
    for i, raw in enumerate(raw_apps):
        path = f"apps[{i}]"
        a = check.mapping(raw, path, _field_names(AppSpec))
        app_name = check.string(a, "name", path, None, pattern=NAME_PATTERN)
        if app_name is not None and app_name in app_names:
            check.problem(f"{path}.name", f"another app is already named {app_name!r}")
        app_names.add(app_name)
        hc_raw = check.mapping(a.get("health_check", {}), f"{path}.health_check", {"type", "timeout_s"})
        health_check = HealthCheck(
            type=check.string(hc_raw, "type", f"{path}.health_check", "port", choices=HEALTH_CHECK_TYPES),
            timeout_s=check.number(
                hc_raw,
                "timeout_s",
                f"{path}.health_check",
                DEFAULT_HEALTH_CHECK_TIMEOUT_S,
                positive=True,
                maximum=MAX_HEALTH_CHECK_TIMEOUT_S,
            ),
        )
        staging = a.get("staging_s")
        crash = None
        if a.get("crash") is not None:
            crash_raw = check.mapping(a["crash"], f"{path}.crash", {"min_s", "max_s"})
            low = check.number(crash_raw, "min_s", f"{path}.crash", None, positive=True)
            high = check.number(crash_raw, "max_s", f"{path}.crash", None, positive=True)
            if low is not None and high is not None:
                if high < low:
                    check.problem(f"{path}.crash.max_s", f"must be >= min_s ({low:g})")
                else:
                    crash = CrashPattern(low, high)
        apps.append(
            AppSpec(
                name=app_name or f"app-{i}",
                instances=check.number(
                    a, "instances", path, 1, minimum=0, maximum=MAX_INSTANCES_PER_APP, integer=True
                ),
                memory_mb=check.number(a, "memory_mb", path, 256, positive=True, integer=True),
                disk_mb=check.number(a, "disk_mb", path, 1024, positive=True, integer=True),
                stack=check.string(a, "stack", path, "cflinuxfs4"),
                buildpack=check.string(a, "buildpack", path, "ruby_buildpack"),
                package_mb=check.number(a, "package_mb", path, 5.0, positive=True),
                droplet_mb=check.number(a, "droplet_mb", path, 60.0, positive=True),
                boot_s=check.number(a, "boot_s", path, 4.0, minimum=0),
                staging_s=None
                if staging is None
                else check.number(a, "staging_s", path, None, positive=True),
                health_check=health_check,
                placement_tags=check.strings(a, "placement_tags", path, ()),
                route=None if a.get("route") is None else check.string(a, "route", path, "") or None,
                crash=crash,
                copies=check.number(a, "copies", path, 1, positive=True, maximum=MAX_COPIES, integer=True),
            )
        )

    timeline = [
        _parse_action(check, raw, f"timeline[{i}]", app_names, cell_names, duration)
        for i, raw in enumerate(check.items(root, "timeline"))
    ]

    timing = _parse_settings(check, root, "timing", Timing)
    diego = _parse_settings(check, root, "diego", DiegoSettings)
    eirini = _parse_settings(check, root, "eirini", EiriniSettings)

    narration = [
        _parse_narration_step(check, raw, f"narration[{i}]", app_names, cell_names, duration)
        for i, raw in enumerate(check.items(root, "narration", required=False))
    ]
    mode = check.string(root, "mode", "", "auto", choices=MODES)
    fleet = _parse_settings(check, root, "fleet", FleetSettings)
    _check_fleet(check, mode, apps, timeline)

    if check.problems:
        raise ScenarioError(check.problems)
    return Scenario(
        name=name,
        description=description,
        seed=seed,
        duration_s=duration,
        platforms=platforms,
        zones=zones,
        cells=tuple(cells),
        apps=tuple(apps),
        timeline=tuple(sorted(timeline, key=lambda a: a.at)),
        timing=timing,
        diego=diego,
        eirini=eirini,
        narration=tuple(narration),
        mode=mode,
        fleet=fleet,
    )


def fleet_mode(mode: str, apps: tuple[AppSpec, ...] | list[AppSpec]) -> bool:
    """``auto`` is fleet mode above FLEET_THRESHOLD instances or with copied apps (docs/fleet.md §1)."""
    if mode != "auto":
        return mode == "fleet"
    return sum(a.instances * a.copies for a in apps) > FLEET_THRESHOLD or any(a.copies > 1 for a in apps)


def _check_fleet(check: _Checker, mode: str, apps: list[AppSpec], timeline: list[Action]) -> None:
    """What fleet mode can run, and what only it can."""
    if mode == "detailed":
        for i, app in enumerate(apps):
            if app.copies > 1:
                check.problem(f"apps[{i}].copies", "copies need fleet mode (mode: fleet or auto)")
    if not fleet_mode(mode, apps):
        return
    instances = sum(app.instances * app.copies for app in apps)
    if instances > MAX_FLEET_INSTANCES:
        check.problem("apps", f"at most {MAX_FLEET_INSTANCES:,} instances in all, not {instances:,}")
    for i, app in enumerate(apps):
        if app.crash is not None:
            check.problem(f"apps[{i}].crash", "fleet mode does not model crashes (use mode: detailed)")
    for i, action in enumerate(timeline):
        if action.action not in FLEET_ACTIONS:
            check.problem(
                f"timeline[{i}].action",
                f"fleet mode replays pushes only, not {action.action} (use mode: detailed and fewer instances)",
            )


def _parse_narration_step(
    check: _Checker,
    raw: Any,
    path: str,
    app_names: set[str],
    cell_names: set[str],
    duration: float | None,
) -> NarrationStep:
    n = check.mapping(raw, path, _field_names(NarrationStep))
    chapter = check.string(n, "chapter", path, None)
    text = check.string(n, "text", path, None)
    for key, value, limit in (("chapter", chapter, MAX_CHAPTER_CHARS), ("text", text, MAX_NARRATION_CHARS)):
        if value is not None and not value.strip():
            check.problem(f"{path}.{key}", "must not be empty")
        elif value is not None and len(value) > limit:
            check.problem(f"{path}.{key}", f"at most {limit} characters, not {len(value)}")
    at = None if n.get("at") is None else check.number(n, "at", path, None, minimum=0)
    event = None
    if n.get("event") is not None:
        event = check.string(n, "event", path, None, choices=tuple(NARRATION_EVENTS))
    if n.get("at") is None and n.get("event") is None:
        check.problem(path, "say when it shows: at (seconds) or event (what happens)")
    elif n.get("at") is not None and n.get("event") is not None:
        check.problem(f"{path}.event", "a step shows at a time or on an event, not both")
    if at is not None and duration is not None and at > duration:
        check.problem(f"{path}.at", f"{at:g} s is after the scenario ends ({duration:g} s)")
    subject = NARRATION_EVENTS.get(event or "")
    values: dict[str, Any] = {}
    for key, names in (("app", app_names), ("cell", cell_names)):
        if subject == key:
            name = check.string(n, key, path, None)
            if name is not None and name not in names:
                check.problem(f"{path}.{key}", f"unknown {key} {name!r}")
            values[key] = name or ""
        elif n.get(key):
            check.problem(f"{path}.{key}", f"only a step on one of the {key} events names {key}")
    pause = n.get("pause", False)
    if not isinstance(pause, bool):
        check.problem(f"{path}.pause", f"must be true or false, not {_type_name(pause)}")
        pause = False
    return NarrationStep(chapter=chapter or "", text=text or "", at=at, event=event, pause=pause, **values)


def _parse_action(
    check: _Checker,
    raw: Any,
    path: str,
    app_names: set[str],
    cell_names: set[str],
    duration: float | None,
) -> Action:
    t = check.mapping(raw, path, _field_names(Action))
    at = check.number(t, "at", path, None, minimum=0)
    kind = check.string(t, "action", path, None, choices=ACTIONS)
    if at is not None and duration is not None and at > duration:
        check.problem(f"{path}.at", f"{at:g} s is after the scenario ends ({duration:g} s)")
    if kind is None:
        return Action(at=at or 0.0, action="push")
    wanted = ACTION_FIELDS[kind]
    defaults = Action(at=0.0, action=kind)
    for key in sorted(set(t) - {"at", "action", *wanted}):
        # Plain data from to_dict() carries every field; only a real value is a mistake.
        if t[key] is not None and t[key] != getattr(defaults, key):
            check.problem(f"{path}.{key}", f"a {kind} action takes no {key}")
    values: dict[str, Any] = {}
    if "app" in wanted:
        app = check.string(t, "app", path, None)
        if app is not None and app not in app_names:
            check.problem(f"{path}.app", f"unknown app {app!r}")
        values["app"] = app or ""
    if "cell" in wanted:
        cell = check.string(t, "cell", path, None)
        if cell is not None and cell not in cell_names:
            check.problem(f"{path}.cell", f"unknown cell {cell!r}")
        values["cell"] = cell or ""
    if "instances" in wanted:
        values["instances"] = check.number(
            t, "instances", path, None, minimum=0, maximum=MAX_INSTANCES_PER_APP, integer=True
        )
    if "index" in wanted:
        values["index"] = check.number(t, "index", path, None, minimum=0, integer=True)
    if "recover_after_s" in wanted and t.get("recover_after_s") is not None:
        values["recover_after_s"] = check.number(t, "recover_after_s", path, None, positive=True)
    if "version" in wanted:
        values["version"] = check.string(t, "version", path, None) or ""
    if "max_in_flight" in wanted:
        values["max_in_flight"] = check.number(t, "max_in_flight", path, 1, positive=True, integer=True)
    return Action(at=at or 0.0, action=kind, **values)


def parse_action(data: Any, scenario: Scenario, at: float) -> Action:
    """An action a viewer triggers live, checked against the scenario it acts on."""
    check = _Checker()
    if isinstance(data, dict):
        data = {**data, "at": at}
    action = _parse_action(
        check,
        data,
        "action",
        {app.name for app in scenario.apps},
        {cell.name for cell in scenario.cells},
        None,
    )
    if check.problems:
        raise ScenarioError(check.problems)
    return action


def action_to_dict(action: Action) -> dict[str, Any]:
    """The fields an action was given, as plain data (the inverse of parsing)."""
    data: dict[str, Any] = {"at": action.at, "action": action.action}
    for key in ACTION_FIELDS[action.action]:
        value = getattr(action, key)
        if value is not None:
            data[key] = value
    return data


def load_scenario_json(text: str | bytes) -> Scenario:
    """Parse a scenario from JSON text; malformed JSON is reported like any other problem."""
    try:
        data = json.loads(text)
    # JSONDecodeError and UnicodeDecodeError are ValueErrors, as is an integer literal too long
    # to convert; very deep nesting exhausts the decoder's recursion.
    except (ValueError, RecursionError) as exc:
        raise ScenarioError([f"not valid JSON: {exc}"]) from None
    return parse_scenario(data)
