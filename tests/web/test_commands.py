"""The command line: load the library, simulate headless, and clear errors for bad arguments."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cfviz.models import Scenario
from simulator.records import dumps_log
from simulator.scenario import load_scenario_json
from simulator.simulation import Simulation

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
PUSH = SCENARIOS / "cf-push.json"
pytestmark = pytest.mark.django_db


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def test_load_scenarios_loads_the_library_as_built_in_scenarios() -> None:
    call_command("load_scenarios", stdout=StringIO())
    scenario = Scenario.objects.get(slug="cf-push")
    assert scenario.builtin
    assert scenario.name == "cf push: 3 instances on 3 cells in 2 zones"


def test_load_scenarios_saves_nothing_when_one_file_is_bad(tmp_path: Path, settings: object) -> None:
    (tmp_path / "good.json").write_text(PUSH.read_text())
    (tmp_path / "bad.json").write_text(
        '{"name": "bad", "zones": ["z1"], "cells": [], "apps": [], "timeline": []}'
    )
    settings.SCENARIO_LIBRARY_DIR = tmp_path  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match=r"bad.json: cells: must list at least one cell"):
        call_command("load_scenarios", stdout=StringIO())
    assert not Scenario.objects.exists()


def test_simulate_prints_when_every_instance_ran_and_where_each_landed() -> None:
    call_command("load_scenarios", stdout=StringIO())
    output = simulate("cf-push")
    expected = Simulation(load_scenario_json(PUSH.read_text()))
    expected.run()
    summary = expected.summary()
    assert f"every instance was running at {summary['all_running_at']:.1f} s" in output
    for instance, cell in summary["placements"].items():
        assert any(line.split()[:2] == [instance, cell] for line in output.splitlines())


def test_simulate_reads_a_scenario_file_and_writes_the_event_log(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    simulate(str(PUSH), "--seed", "9", "--out", str(out))
    expected = Simulation(load_scenario_json(PUSH.read_text()), seed=9)
    expected.run()
    assert out.read_text() == dumps_log(expected.records)


def test_simulate_until_stops_early_and_says_not_everything_ran(tmp_path: Path) -> None:
    output = simulate(str(PUSH), "--until", "10")
    assert "simulated 10.0 s" in output
    assert "not every instance was running" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-scenario"], "no scenario 'no-such-scenario'"),
        (["missing.json"], "no scenario file missing.json"),
        ([str(PUSH), "--seed", "-1"], "--seed must be from 0"),
        ([str(PUSH), "--seed", "abc"], "--seed must be a whole number"),
        ([str(PUSH), "--until", "0"], "--until must be a positive number"),
        ([str(PUSH), "--until", "soon"], "--until must be a number of seconds"),
        ([str(PUSH), "--out", "/no/such/folder/events.jsonl"], "the folder /no/such/folder does not exist"),
    ],
)
def test_simulate_rejects_bad_arguments_with_a_clear_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        simulate(*args)


def test_simulate_lists_every_problem_of_an_invalid_scenario_file(tmp_path: Path) -> None:
    data = json.loads(PUSH.read_text())
    data["apps"][0]["memory_mb"] = -5
    data["cells"][1]["zone"] = "z9"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as error:
        simulate(str(path))
    assert "apps[0].memory_mb: must be > 0" in str(error.value)
    assert "cells[1].zone: unknown zone 'z9'" in str(error.value)


def test_simulate_compare_prints_both_platforms_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "both.jsonl"
    output = simulate(str(PUSH), "--compare", "--out", str(out))
    assert ["Diego", "Eirini"] in [line.split() for line in output.splitlines()]
    running = next(line for line in output.splitlines() if line.startswith("every instance running at"))
    diego_s, eirini_s = (float(v) for v in running.split()[-4::2])
    assert diego_s < eirini_s
    lines = out.read_text().splitlines()
    assert {json.loads(line)["platform"] for line in lines} == {"diego", "eirini"}


def test_simulate_runs_eirini_on_its_own() -> None:
    output = simulate(str(PUSH), "--platform", "eirini")
    assert "(eirini, seed 42)" in output
    assert "scheduling cycle(s)" in output


def test_simulate_runs_a_fleet_scenario_on_both_platforms_and_writes_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    stdout = StringIO()
    call_command(
        "simulate", str(SCENARIOS / "scale-eirini-2500.json"), "--compare", "--out", str(out), stdout=stdout
    )
    text = stdout.getvalue()
    assert "fleet mode: 2,500 instances on 40 cells" in text
    assert "every instance running at" in text
    assert re.search(r"instances running\s+2,500\s+2,500\n", text)
    figures = json.loads(out.read_text())
    assert sorted(figures) == ["diego", "eirini"]
    assert figures["diego"]["totals"]["running"] == 2500
    assert figures["eirini"]["finished_at"] > figures["diego"]["finished_at"]
