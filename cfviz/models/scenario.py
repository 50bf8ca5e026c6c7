"""A scenario: its own settings, edited in the admin, and ``spec``, the canonical scenario that
runs read. ``spec`` is derived: saving regenerates it from the scenario and its parts
(``cfviz.models.parts``) through ``parse_scenario``, the one place scenarios are checked."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cfviz.models.limits import (
    MAX_BANDWIDTH_MB_S,
    MAX_CONTAINERS,
    MAX_CPU_MILLIS,
    MAX_LATENCY_S,
    MAX_MEMORY_MB,
    MAX_REGISTRY_CONCURRENCY,
    MAX_SEED,
    MAX_SIZE_MB,
    MAX_WEIGHT,
    validate_positive,
)
from simulator.scenario import (
    FLEET_THRESHOLD,
    KUBE_SCHEDULER_MODES,
    MAX_DURATION_S,
    MAX_FLEET_INSTANCES,
    MAX_INSTANCES_PER_APP,
    MODES,
    DiegoSettings,
    EiriniSettings,
    FleetSettings,
    Timing,
    parse_scenario,
)
from simulator.scenario import Scenario as ScenarioSpec

TIMING = Timing()
DIEGO = DiegoSettings()
EIRINI = EiriniSettings()
FLEET = FleetSettings()
# A cf push of more requests than this before staging can only be a typo.
MAX_PUSH_API_CALLS = 1000

POSITIVE_DURATION = [validate_positive, MaxValueValidator(int(MAX_DURATION_S))]
LATENCY = [MinValueValidator(0), MaxValueValidator(MAX_LATENCY_S)]
BANDWIDTH = [validate_positive, MaxValueValidator(MAX_BANDWIDTH_MB_S)]
SIZE = [validate_positive, MaxValueValidator(MAX_SIZE_MB)]


class Scenario(models.Model):
    class Platforms(models.TextChoices):
        DIEGO = "diego", _("Diego")
        EIRINI = "eirini", _("Eirini on Kubernetes")
        BOTH = "both", _("Both, side by side")

    class KubeScheduler(models.TextChoices):
        LEGACY_2019 = (
            KUBE_SCHEDULER_MODES[0],
            _("2019: predicates and priorities (0–10), as the talk compares"),
        )
        FRAMEWORK = KUBE_SCHEDULER_MODES[1], _("today's framework: plugins (0–100)")

    class Mode(models.TextChoices):
        AUTO = MODES[0], _("auto: fleet when the scenario is large or copies apps")
        DETAILED = MODES[1], _("detailed: every message and state change")
        FLEET = MODES[2], _("fleet: per-cell totals, at Diego's 250,000-instance scale")

    slug = models.SlugField(
        _("slug"), unique=True, max_length=100, help_text=_("The scenario's short name in links and files.")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("The title on the home page."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the scenario shows, in a few sentences.")
    )
    platforms = models.CharField(
        _("platforms"),
        max_length=10,
        choices=Platforms.choices,
        default=Platforms.BOTH,
        help_text=_("What a run of this scenario shows unless its starter picks otherwise."),
    )
    seed = models.PositiveBigIntegerField(
        _("seed"),
        default=1,
        validators=[MaxValueValidator(MAX_SEED)],
        help_text=_(
            "The run's random seed: guids, jitter and tie-breaks. The same seed gives the same run; "
            "a run may choose another."
        ),
    )
    mode = models.CharField(
        _("mode"),
        max_length=10,
        choices=Mode.choices,
        default=MODES[0],
        help_text=format_lazy(
            _(
                "How a run simulates the scenario: in detail, the component diagram showing every "
                "message, or as a fleet, cells filling up with per-cell totals (pushes only, no "
                "crashes). Auto picks fleet above {threshold} instances or when an app has copies."
            ),
            threshold=f"{FLEET_THRESHOLD:,}",
        ),
    )
    duration_s = models.FloatField(
        _("duration (s)"),
        default=900.0,
        validators=POSITIVE_DURATION,
        help_text=_(
            "A run stops here at the latest, in simulated seconds; it stops 3 s after everything has "
            "settled if that comes first."
        ),
    )

    # Timing: what the real systems leave to the environment (docs/scenarios.md, "timing").
    network_latency_s = models.FloatField(
        _("network latency (s)"),
        default=TIMING.network_latency_s,
        validators=LATENCY,
        help_text=_("One hop between components."),
    )
    api_latency_s = models.FloatField(
        _("API latency (s)"),
        default=TIMING.api_latency_s,
        validators=LATENCY,
        help_text=_("UAA, Cloud Controller or the BBS handling one request."),
    )
    db_latency_s = models.FloatField(
        _("database latency (s)"),
        default=TIMING.db_latency_s,
        validators=LATENCY,
        help_text=_("One BBS database read or write."),
    )
    cell_state_fetch_s = models.FloatField(
        _("cell state fetch (s)"),
        default=TIMING.cell_state_fetch_s,
        validators=LATENCY,
        help_text=_("A rep answering the auctioneer's State request."),
    )
    container_create_s = models.FloatField(
        _("container creation (s)"),
        default=TIMING.container_create_s,
        validators=POSITIVE_DURATION,
        help_text=_("Garden creating a container."),
    )
    blobstore_bandwidth_mb_s = models.FloatField(
        _("blobstore bandwidth (MB/s)"),
        default=TIMING.blobstore_bandwidth_mb_s,
        validators=BANDWIDTH,
        help_text=_("One download from, or upload to, the blobstore."),
    )
    upload_bandwidth_mb_s = models.FloatField(
        _("upload bandwidth (MB/s)"),
        default=TIMING.upload_bandwidth_mb_s,
        validators=BANDWIDTH,
        help_text=_("The developer's upload of the app's bits to Cloud Controller."),
    )
    staging_compile_s = models.FloatField(
        _("staging compile (s)"),
        default=TIMING.staging_compile_s,
        validators=POSITIVE_DURATION,
        help_text=_("Buildpack detect and compile, for apps that do not give their own."),
    )
    graceful_stop_s = models.FloatField(
        _("graceful stop (s)"),
        default=TIMING.graceful_stop_s,
        validators=POSITIVE_DURATION,
        help_text=_("An app exiting after SIGTERM (Diego allows 10 s)."),
    )
    cell_restart_s = models.FloatField(
        _("cell restart (s)"),
        default=TIMING.cell_restart_s,
        validators=POSITIVE_DURATION,
        help_text=_("A drained or upgraded cell (or node) restarting before it takes work again."),
    )
    cli_poll_interval_s = models.FloatField(
        _("cf CLI poll interval (s)"),
        default=TIMING.cli_poll_interval_s,
        validators=POSITIVE_DURATION,
        help_text=_("How often cf push asks Cloud Controller how things are going while it waits."),
    )
    jitter = models.FloatField(
        _("jitter"),
        default=TIMING.jitter,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Every duration above varies by ± this fraction: 0.1 is ±10 %, 0 turns it off."),
    )

    # Diego: the auctioneer's and rep's deployment settings (diego-release defaults).
    starting_container_weight = models.FloatField(
        _("starting container weight"),
        default=DIEGO.starting_container_weight,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_WEIGHT)],
        help_text=_("How strongly the auctioneer avoids cells that are already starting containers."),
    )
    bin_pack_first_fit_weight = models.FloatField(
        _("bin-pack first-fit weight"),
        default=DIEGO.bin_pack_first_fit_weight,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_(
            "0 spreads instances over the cells; towards 1 the auctioneer fills the first cells first."
        ),
    )
    starting_container_count_maximum = models.PositiveIntegerField(
        _("starting containers at most"),
        default=DIEGO.starting_container_count_maximum,
        validators=[MaxValueValidator(MAX_CONTAINERS)],
        help_text=_("Containers a cell may be starting at once; 0 is no limit."),
    )
    proxy_memory_mb = models.PositiveIntegerField(
        _("proxy memory (MB)"),
        default=DIEGO.proxy_memory_mb,
        validators=[MaxValueValidator(MAX_MEMORY_MB)],
        help_text=_(
            "Envoy's memory counted with each instance when scoring: 0, or 32 with the proxy enabled."
        ),
    )

    # Eirini on Kubernetes (docs/scenarios.md, "eirini").
    scheduler = models.CharField(
        _("kube-scheduler"),
        max_length=20,
        choices=KubeScheduler.choices,
        default=EIRINI.scheduler,
        help_text=_("Which kube-scheduler algorithm places the pods."),
    )
    percentage_of_nodes_to_score = models.PositiveSmallIntegerField(
        _("percentage of nodes to score"),
        default=EIRINI.percentage_of_nodes_to_score,
        validators=[MaxValueValidator(100)],
        help_text=_("0 is Kubernetes' adaptive default: every node when there are fewer than 100."),
    )
    node_cpu_millis = models.PositiveIntegerField(
        _("node CPU (millicores)"),
        default=EIRINI.node_cpu_millis,
        validators=[validate_positive, MaxValueValidator(MAX_CPU_MILLIS)],
        help_text=_("Every node's allocatable CPU; cells carry no CPU figure (8000 is 8 cores)."),
    )
    registry_concurrency = models.PositiveIntegerField(
        _("bits-service concurrency"),
        default=EIRINI.registry_concurrency,
        validators=[validate_positive, MaxValueValidator(MAX_REGISTRY_CONCURRENCY)],
        help_text=_("Requests bits-service serves at once: uploads, manifests and layers."),
    )
    registry_bandwidth_mb_s = models.FloatField(
        _("bits-service bandwidth (MB/s)"),
        default=EIRINI.registry_bandwidth_mb_s,
        validators=BANDWIDTH,
        help_text=_("The bandwidth of each bits-service request."),
    )
    registry_repack_mb_s = models.FloatField(
        _("bits-service repacking (MB/s)"),
        default=EIRINI.registry_repack_mb_s,
        validators=BANDWIDTH,
        help_text=_("bits-service re-tars the droplet on every image manifest request."),
    )
    rootfs_layer_mb = models.FloatField(
        _("rootfs layer (MB)"),
        default=EIRINI.rootfs_layer_mb,
        validators=SIZE,
        help_text=_("The eirinifs layer every app image shares."),
    )
    staging_images_mb = models.FloatField(
        _("staging images (MB)"),
        default=EIRINI.staging_images_mb,
        validators=SIZE,
        help_text=_("The staging Job's downloader, executor and uploader images."),
    )
    container_start_s = models.FloatField(
        _("container start (s)"),
        default=EIRINI.container_start_s,
        validators=POSITIVE_DURATION,
        help_text=_("The container runtime creating and starting a container once its image is there."),
    )
    scheduling_cycle_s = models.FloatField(
        _("scheduling cycle (s)"),
        default=EIRINI.scheduling_cycle_s,
        validators=[validate_positive, MaxValueValidator(MAX_LATENCY_S)],
        help_text=_("kube-scheduler filtering, scoring and assuming one pod."),
    )
    pdb_min_available = models.PositiveIntegerField(
        _("PodDisruptionBudget minAvailable"),
        default=EIRINI.pdb_min_available,
        validators=[MaxValueValidator(MAX_INSTANCES_PER_APP)],
        help_text=_("For apps of two or more instances; 0 is none, as in 2019."),
    )

    # Fleet mode: how its pushes are made (docs/fleet.md, "fleet").
    push_concurrency = models.PositiveIntegerField(
        _("push sessions at once"),
        default=FLEET.push_concurrency,
        validators=[validate_positive, MaxValueValidator(MAX_FLEET_INSTANCES)],
        help_text=_(
            "cf push sessions at the same time: each pushes its share of the apps one after the "
            "other, waiting for each app to start, as the cf CLI does."
        ),
    )
    push_api_calls = models.PositiveIntegerField(
        _("Cloud Controller requests per push"),
        default=FLEET.push_api_calls,
        validators=[validate_positive, MaxValueValidator(MAX_PUSH_API_CALLS)],
        help_text=_(
            "Requests one cf push makes before staging (create the app, map its route, upload its "
            "bits…), each taking the API latency and a network round trip."
        ),
    )

    spec = models.JSONField(
        _("specification"),
        help_text=_(
            "The scenario as a file holds it (docs/scenarios.md), generated from the scenario and its "
            "parts whenever they are saved. Runs and exports read this."
        ),
    )
    builtin = models.BooleanField(
        _("built-in"),
        default=False,
        help_text=_(
            "Shipped with cfviz as a file in scenarios/ and loaded by the set-up command; read-only."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name

    def parsed(self) -> ScenarioSpec:
        return parse_scenario(self.spec)

    @property
    def cell_count(self) -> int:
        return len(self.spec.get("cells", []))

    @property
    def app_count(self) -> int:
        """Apps pushed, every copy counted (an app with 100 copies is pushed as 100 apps)."""
        return sum(_copies(app) for app in self.spec.get("apps", []))

    @property
    def instance_count(self) -> int:
        """Instances the apps ask for, every copy counted, as ``ScenarioSpec.instance_count``."""
        return sum(int(app.get("instances", 1)) * _copies(app) for app in self.spec.get("apps", []))

    @property
    def default_platform(self) -> str:
        """Both side by side when the scenario is written for both, else its one platform."""
        return self.platforms


def _copies(app: dict[str, Any]) -> int:
    return int(app.get("copies", 1))
