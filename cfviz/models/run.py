"""A run: one scenario, seed and platform, as it was when it started, with its live actions."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cfviz.models.scenario import Scenario
from simulator.scenario import Scenario as ScenarioSpec
from simulator.scenario import parse_scenario


class Run(models.Model):
    class Platform(models.TextChoices):
        DIEGO = "diego", _("Diego")
        EIRINI = "eirini", _("Eirini on Kubernetes")
        BOTH = "both", _("Both, side by side")

    class Status(models.TextChoices):
        PAUSED = "paused", _("paused")
        PLAYING = "playing", _("playing")
        FINISHED = "finished", _("finished")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scenario = models.ForeignKey(
        Scenario, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    # The spec as it was when the run started, so editing the scenario never changes a run.
    scenario_name = models.CharField(_("scenario name"), max_length=200)
    spec = models.JSONField(_("specification"))
    seed = models.BigIntegerField(_("seed"))
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, default=Platform.BOTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    owner_session = models.CharField(_("owner's session"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PAUSED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Actions viewers triggered live, with their simulated times, per branch: an action taken
    # while viewing the past starts a new branch from that moment. With the spec and seed they
    # are all it takes to rebuild any moment of any branch exactly. Each branch is
    # {"id", "parent", "forked_at", "interventions": [action, ...]}; branch 0 is the main line.
    branches = models.JSONField(_("branches"), default=list, blank=True)
    current_branch = models.PositiveIntegerField(_("current branch"), default=0)
    event_log = models.TextField(_("event log (JSON Lines)"), blank=True)
    summary = models.JSONField(_("summary"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("run")
        verbose_name_plural = _("runs")

    def __str__(self) -> str:
        return f"{self.scenario_name} ({self.id})"

    def get_absolute_url(self) -> str:
        return reverse("cfviz:run-detail", kwargs={"run_id": self.id})

    def parsed(self) -> ScenarioSpec:
        return parse_scenario(self.spec)

    @property
    def platforms(self) -> tuple[str, ...]:
        """The simulations this run advances in lockstep."""
        return ("diego", "eirini") if self.platform == self.Platform.BOTH else (self.platform,)

    @staticmethod
    def main_branch() -> dict[str, Any]:
        """Branch 0, the main line, before any live action was stored on it."""
        return {"id": 0, "parent": None, "forked_at": 0.0, "interventions": []}

    def branch(self, branch_id: int) -> dict[str, Any]:
        found = next((b for b in self.branches if b["id"] == branch_id), None)
        if found is None and branch_id == 0:
            return self.main_branch()
        if found is None:
            raise KeyError(branch_id)
        return found

    def public(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "scenario_name": self.scenario_name,
            "seed": self.seed,
            "platform": self.platform,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }
