"""export_scenario and import_scenario: round trips through files, and imports that save nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cfviz.models import Scenario

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_scenario_exported_and_imported_again_is_the_same_scenario(tmp_path: Path, suffix: str) -> None:
    run("load_scenarios")
    original = Scenario.objects.get(slug="rootfs-rollout")
    path = tmp_path / f"copy{suffix}"
    run("export_scenario", "rootfs-rollout", "--out", str(path))
    run("import_scenario", str(path), "--slug", "my-rollout")
    imported = Scenario.objects.get(slug="my-rollout")
    assert imported.parsed() == original.parsed()
    assert not imported.builtin
    again = tmp_path / f"again{suffix}"
    run("export_scenario", "my-rollout", "--out", str(again))
    assert again.read_text() == path.read_text()


def test_export_writes_yaml_to_standard_output_when_asked() -> None:
    run("load_scenarios")
    text = run("export_scenario", "cf-push", "--format", "yaml")
    assert text.startswith("name: 'cf push: 3 instances on 3 cells in 2 zones'")


def test_a_yaml_scenario_can_be_simulated_directly(tmp_path: Path) -> None:
    run("load_scenarios")
    path = tmp_path / "push.yml"
    run("export_scenario", "cf-push", "--out", str(path))
    assert "every instance was running" in run("simulate", str(path))


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("name: [", "bad.yaml", "not valid YAML"),
        (
            '{"name": "x", "zones": [], "cells": [], "apps": [], "timeline": []}',
            "empty.json",
            "zones: must name at least one zone",
        ),
        ("{}", "notes.txt", "ends in .json, .yaml or .yml"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_saved(
    tmp_path: Path, content: str, name: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CommandError, match=expected.replace(".", r"\.")):
        run("import_scenario", str(path))
    assert not Scenario.objects.exists()


def test_import_will_not_overwrite_a_scenario_unless_told_and_never_a_built_in(tmp_path: Path) -> None:
    run("load_scenarios")
    path = tmp_path / "push.json"
    run("export_scenario", "cf-push", "--out", str(path))
    with pytest.raises(CommandError, match="is a built-in scenario"):
        run("import_scenario", str(path), "--slug", "cf-push", "--replace")
    run("import_scenario", str(path), "--slug", "mine")
    with pytest.raises(CommandError, match="exists already"):
        run("import_scenario", str(path), "--slug", "mine")
    assert "imported mine" in run("import_scenario", str(path), "--slug", "mine", "--replace")


def test_export_of_an_unknown_scenario_says_so() -> None:
    with pytest.raises(CommandError, match="no scenario 'nope'"):
        run("export_scenario", "nope")
