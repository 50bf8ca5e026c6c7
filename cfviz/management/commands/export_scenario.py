"""``manage.py export_scenario SLUG``: a scenario as a JSON or YAML file (or to standard output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cfviz import selectors
from simulator.scenario import ScenarioError
from simulator.scenario_files import FORMATS, dump_scenario, guess_format


class Command(BaseCommand):
    help = "Write a scenario as JSON or YAML: the format manage.py import_scenario and simulate read."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the scenario's slug")
        parser.add_argument("--format", choices=FORMATS, help="json or yaml (default: from --out, else json)")
        parser.add_argument("--out", type=Path, help="the file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        scenario = selectors.scenario_by_slug(options["slug"])
        if scenario is None:
            raise CommandError(f"no scenario {options['slug']!r}")
        out: Path | None = options["out"]
        fmt = options["format"]
        if fmt is None:
            try:
                fmt = guess_format(out.name) if out is not None else "json"
            except ScenarioError as exc:
                raise CommandError(str(exc.problems[0])) from None
        try:
            text = dump_scenario(scenario.parsed(), fmt)
        except ScenarioError as exc:
            raise CommandError(f"scenario {scenario.slug!r} is invalid: {exc}") from None
        if out is None:
            self.stdout.write(text, ending="")
            return
        if not out.parent.exists():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        out.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {scenario.slug} to {out}")
