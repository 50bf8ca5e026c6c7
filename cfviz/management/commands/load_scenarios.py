from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cfviz.scenario_services import scenario_load_library
from simulator.scenario import ScenarioError


class Command(BaseCommand):
    help = "Load (or refresh) the built-in scenarios from the repo's scenarios/ folder."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            saved = scenario_load_library()
        except ScenarioError as exc:
            raise CommandError(str(exc)) from None
        for scenario in saved:
            self.stdout.write(f"loaded {scenario.slug}: {scenario.name}")
