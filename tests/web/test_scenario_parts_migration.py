"""Upgrading: scenarios saved before the editor get their parts from their spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cfviz.models import Scenario
from simulator.scenario import load_scenario_json

ROLLOUT = Path(__file__).resolve().parents[2] / "scenarios" / "rootfs-rollout.json"
BEFORE = [("cfviz", "0003_run_branches")]


@pytest.mark.django_db(transaction=True)
def test_a_scenario_from_before_the_editor_gets_its_parts_from_its_spec() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("cfviz", "Scenario")
    data = json.loads(ROLLOUT.read_text())
    data["platforms"] = ["eirini"]
    old.objects.create(slug="mine", name=data["name"], spec=data, builtin=False)
    old.objects.create(slug="broken", name="broken", spec={"name": "broken"}, builtin=False)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Through 0005, which gives the parts, to the latest: the models here are today's.
    executor.migrate(executor.loader.graph.leaf_nodes())

    mine = Scenario.objects.get(slug="mine")
    assert (mine.platforms, mine.seed, mine.zones.count(), mine.cell_groups.count()) == ("eirini", 7, 2, 2)
    assert [a.name for a in mine.apps.all()] == ["solo", "pair", "trio"]
    assert mine.timeline.get(action="rootfs").version == "cflinuxfs4 1.99.0"
    expected = load_scenario_json(json.dumps(data))
    assert mine.parsed() == expected
    broken = Scenario.objects.get(slug="broken")
    assert not broken.zones.exists() and broken.spec == {"name": "broken"}
