"""A scenario's parts, each edited as a list in the admin: zones, cells (singly or in groups),
apps, the timeline of actions and the narration.

Parts name each other by name (a cell's zone, an action's app), as a scenario file does, so an
author can add a zone and a cell in it in one go. Whether the names match is for
``parse_scenario`` to say, when the scenario is saved with all its parts together; the fields'
own validators only keep each value sensible.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfviz.models.fields import StringListField
from cfviz.models.limits import (
    MAX_CONTAINERS,
    MAX_DISK_MB,
    MAX_LABEL_CHARS,
    MAX_MEMORY_MB,
    MAX_SIZE_MB,
    validate_labels,
    validate_name,
    validate_positive,
)
from cfviz.models.scenario import Scenario
from simulator.scenario import (
    HEALTH_CHECK_TYPES,
    MAX_CELLS,
    MAX_CHAPTER_CHARS,
    MAX_COPIES,
    MAX_DURATION_S,
    MAX_HEALTH_CHECK_TIMEOUT_S,
    MAX_INSTANCES_PER_APP,
    MAX_NARRATION_CHARS,
    AppSpec,
    CellSpec,
)

CELL = CellSpec("", "")
APP = AppSpec("")
DURATION = [MinValueValidator(0), MaxValueValidator(int(MAX_DURATION_S))]
POSITIVE_DURATION = [validate_positive, MaxValueValidator(int(MAX_DURATION_S))]


def default_stacks() -> list[str]:
    return list(CELL.stacks)


class Zone(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(
        _("name"), max_length=MAX_LABEL_CHARS, help_text=_("An availability zone, e.g. z1.")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class CellGroup(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="cell_groups")
    name = models.CharField(
        _("name"),
        max_length=63,
        validators=[validate_name],
        help_text=_("With a count above 1, the cells are named after it: cell-0, cell-1, …"),
    )
    count = models.PositiveIntegerField(
        _("count"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CELLS)],
        help_text=_("How many identical cells: 40 gives 40 cells."),
    )
    zone = models.CharField(
        _("zone"), max_length=MAX_LABEL_CHARS, help_text=_("One of the scenario's zones, by name.")
    )
    memory_mb = models.PositiveIntegerField(
        _("memory (MB)"),
        default=CELL.memory_mb,
        validators=[validate_positive, MaxValueValidator(MAX_MEMORY_MB)],
        help_text=_("Per cell; 32768 is 32 GiB."),
    )
    disk_mb = models.PositiveIntegerField(
        _("disk (MB)"),
        default=CELL.disk_mb,
        validators=[validate_positive, MaxValueValidator(MAX_DISK_MB)],
        help_text=_("Per cell; 65536 is 64 GiB."),
    )
    max_containers = models.PositiveIntegerField(
        _("containers at most"),
        default=CELL.max_containers,
        validators=[validate_positive, MaxValueValidator(MAX_CONTAINERS)],
        help_text=_("Per cell (diego.rep.max_containers, 250 by default)."),
    )
    stacks = StringListField(
        _("stacks"),
        default=default_stacks,
        validators=[validate_labels],
        help_text=_("Root filesystems the cells offer, separated by commas."),
    )
    placement_tags = StringListField(
        _("placement tags"),
        default=list,
        blank=True,
        validators=[validate_labels],
        help_text=_("Isolation segments the cells are reserved for: only apps with these tags land here."),
    )
    optional_placement_tags = StringListField(
        _("optional placement tags"),
        default=list,
        blank=True,
        validators=[validate_labels],
        help_text=_("Tags the cells also accept without requiring them."),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("cell or group of cells")
        verbose_name_plural = _("cells")

    def __str__(self) -> str:
        return self.name if self.count == 1 else f"{self.count} × {self.name}"


class App(models.Model):
    class HealthCheck(models.TextChoices):
        PORT = HEALTH_CHECK_TYPES[0], _("port: the app listens")
        HTTP = HEALTH_CHECK_TYPES[1], _("http: the app answers")
        PROCESS = HEALTH_CHECK_TYPES[2], _("process: the process is alive")

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="apps")
    name = models.CharField(_("name"), max_length=63, validators=[validate_name])
    instances = models.PositiveIntegerField(
        _("instances"), default=APP.instances, validators=[MaxValueValidator(MAX_INSTANCES_PER_APP)]
    )
    copies = models.PositiveIntegerField(
        _("copies"),
        default=APP.copies,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COPIES)],
        help_text=_(
            "Push the app this many times, as separate apps named after it with -0, -1, … added. "
            "More than 1 runs the scenario in fleet mode (mode auto or fleet)."
        ),
    )
    memory_mb = models.PositiveIntegerField(
        _("memory (MB)"),
        default=APP.memory_mb,
        validators=[validate_positive, MaxValueValidator(MAX_MEMORY_MB)],
        help_text=_("Per instance (cf push -m)."),
    )
    disk_mb = models.PositiveIntegerField(
        _("disk (MB)"),
        default=APP.disk_mb,
        validators=[validate_positive, MaxValueValidator(MAX_DISK_MB)],
        help_text=_("Per instance (cf push -k)."),
    )
    stack = models.CharField(_("stack"), max_length=MAX_LABEL_CHARS, default=APP.stack)
    buildpack = models.CharField(_("buildpack"), max_length=MAX_LABEL_CHARS, default=APP.buildpack)
    package_mb = models.FloatField(
        _("package (MB)"),
        default=APP.package_mb,
        validators=[validate_positive, MaxValueValidator(MAX_SIZE_MB)],
        help_text=_("The app's bits that cf push uploads."),
    )
    droplet_mb = models.FloatField(
        _("droplet (MB)"),
        default=APP.droplet_mb,
        validators=[validate_positive, MaxValueValidator(MAX_SIZE_MB)],
        help_text=_("What staging produces and every instance downloads."),
    )
    staging_s = models.FloatField(
        _("staging compile (s)"),
        null=True,
        blank=True,
        validators=POSITIVE_DURATION,
        help_text=_("Buildpack compile time; empty takes the scenario's timing."),
    )
    boot_s = models.FloatField(
        _("boot (s)"),
        default=APP.boot_s,
        validators=DURATION,
        help_text=_("From the process starting until the app listens."),
    )
    health_check_type = models.CharField(
        _("health check"), max_length=10, choices=HealthCheck.choices, default=APP.health_check.type
    )
    health_check_timeout_s = models.FloatField(
        _("health-check timeout (s)"),
        default=APP.health_check.timeout_s,
        validators=[validate_positive, MaxValueValidator(int(MAX_HEALTH_CHECK_TIMEOUT_S))],
        help_text=_("An instance not healthy by then crashes (at most 180, as Cloud Controller allows)."),
    )
    placement_tags = StringListField(
        _("placement tags"),
        default=list,
        blank=True,
        validators=[validate_labels],
        help_text=_("The isolation segment, separated by commas: only cells with these tags take the app."),
    )
    route = models.CharField(
        _("route"),
        max_length=253,
        blank=True,
        help_text=_("Empty gives the app's name followed by .apps.example.com."),
    )
    crash_min_s = models.FloatField(
        _("crashes after at least (s)"),
        null=True,
        blank=True,
        validators=POSITIVE_DURATION,
        help_text=_("A crashing app: its process exits this long after each start, at the earliest…"),
    )
    crash_max_s = models.FloatField(
        _("and at most (s)"),
        null=True,
        blank=True,
        validators=POSITIVE_DURATION,
        help_text=_("…and at the latest. Leave both empty for an app that does not crash."),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("app")
        verbose_name_plural = _("apps")

    def __str__(self) -> str:
        return self.name


class TimelineAction(models.Model):
    class Kind(models.TextChoices):
        PUSH = "push", _("push an app (cf push)")
        SCALE = "scale", _("scale an app (cf scale -i)")
        STOP = "stop", _("stop an app (cf stop)")
        CRASH = "crash", _("crash an instance")
        EVACUATE = "evacuate", _("evacuate a cell / drain a node")
        FAIL = "fail", _("fail a cell")
        ROOTFS = "rootfs", _("roll out a new rootfs")

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="timeline")
    at = models.FloatField(_("at (s)"), validators=DURATION, help_text=_("Seconds into the run."))
    action = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    app = models.CharField(
        _("app"), max_length=63, blank=True, help_text=_("Push, scale, stop, crash: which app.")
    )
    instances = models.PositiveIntegerField(
        _("instances"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_INSTANCES_PER_APP)],
        help_text=_("Scale: how many."),
    )
    index = models.PositiveIntegerField(
        _("index"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_INSTANCES_PER_APP)],
        help_text=_("Crash: which instance, from 0."),
    )
    cell = models.CharField(
        _("cell"), max_length=63, blank=True, help_text=_("Evacuate, fail: which cell, e.g. cell-z1-0.")
    )
    recover_after_s = models.FloatField(
        _("recovers after (s)"),
        null=True,
        blank=True,
        validators=POSITIVE_DURATION,
        help_text=_("Fail: the cell comes back, empty, this long after; empty for never."),
    )
    version = models.CharField(
        _("version"), max_length=MAX_LABEL_CHARS, blank=True, help_text=_("Rootfs: the new version.")
    )
    max_in_flight = models.PositiveIntegerField(
        _("at once"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CELLS)],
        help_text=_("Rootfs: cells updated at a time."),
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline action")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return f"{self.at:g} s: {self.get_action_display()}"


class NarrationStep(models.Model):
    class Event(models.TextChoices):
        APP_PUSHING = "app-pushing", _("the app's push starts")
        APP_STAGING = "app-staging", _("the app starts staging")
        APP_STARTING = "app-starting", _("the app's instances start")
        APP_RUNNING = "app-running", _("every instance of the app runs")
        APP_STOPPED = "app-stopped", _("the app stops")
        ALL_RUNNING = "all-running", _("every instance of every app runs")
        CELL_EVACUATING = "cell-evacuating", _("the cell starts evacuating")
        CELL_RESTARTING = "cell-restarting", _("the cell restarts")
        CELL_FAILED = "cell-failed", _("the cell fails")
        CONVERGED = "converged", _("the platform catches up with the latest action")

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="narration")
    chapter = models.CharField(
        _("chapter"), max_length=MAX_CHAPTER_CHARS, help_text=_("Steps with the same chapter go together.")
    )
    text = models.TextField(_("text"), max_length=MAX_NARRATION_CHARS, help_text=_("What the viewer reads."))
    at = models.FloatField(
        _("at (s)"), null=True, blank=True, validators=DURATION, help_text=_("Show it at this time…")
    )
    event = models.CharField(
        _("or on"),
        max_length=20,
        blank=True,
        choices=Event.choices,
        help_text=_("…or when this first happens."),
    )
    app = models.CharField(_("app"), max_length=63, blank=True, help_text=_("For an app event: which app."))
    cell = models.CharField(
        _("cell"), max_length=63, blank=True, help_text=_("For a cell event: which cell.")
    )
    pause = models.BooleanField(
        _("wait here"), default=False, help_text=_("The player pauses until the viewer goes on.")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("narration step")
        verbose_name_plural = _("narration")

    def __str__(self) -> str:
        return self.chapter
