"""``manage.py import_scenario FILE``: add a scenario from a JSON or YAML file, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from cfviz.scenario_services import scenario_import
from simulator.scenario import ScenarioError
from simulator.scenario_files import guess_format, load_scenario_text


class Command(BaseCommand):
    help = "Add (or with --replace, update) a scenario from a .json, .yaml or .yml file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--slug", help="the scenario's slug (default: from its name)")
        parser.add_argument("--replace", action="store_true", help="update the scenario with that slug")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            spec = load_scenario_text(path.read_bytes(), guess_format(path.name))
        except ScenarioError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        slug = options["slug"] or slugify(spec.name)
        if not slug:
            raise CommandError("the scenario's name gives no slug: pass --slug")
        try:
            scenario = scenario_import(spec=spec, slug=slug, replace=options["replace"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"imported {scenario.slug}: {scenario.name}")
