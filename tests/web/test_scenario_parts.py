"""A scenario's parts and its spec: every built-in round-trips, cell groups expand and collapse,
and a problem finds its way back to the part and field it is about."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cfviz import scenario_services, selectors
from cfviz.models import App, CellGroup, NarrationStep, Scenario, TimelineAction
from cfviz.scenario_parts import Place, draft_from_parts, parts_from_spec, problem_place
from simulator.scenario import (
    ACTIONS,
    HEALTH_CHECK_TYPES,
    NARRATION_EVENTS,
    DiegoSettings,
    EiriniSettings,
    ScenarioError,
    Timing,
    load_scenario_json,
    parse_scenario,
)
from simulator.scenario_files import dump_scenario, scenario_to_data

LIBRARY = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.json"))
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_every_built_in_scenario_round_trips_through_its_parts(path: Path) -> None:
    """File → parts in the database → spec gives the file's scenario, and the same file again."""
    spec = load_scenario_json(path.read_text())
    scenario = scenario_services.scenario_create(spec=spec, slug=path.stem)
    assert scenario.parsed() == spec
    assert scenario.spec == scenario_to_data(spec)
    again = parse_scenario(draft_from_parts(selectors.scenario_parts(scenario)).data)
    assert dump_scenario(again, "yaml") == dump_scenario(spec, "yaml")


def test_numbered_identical_cells_become_one_group_and_expand_back() -> None:
    spec = load_scenario_json((LIBRARY[0].parent / "rootfs-rollout.json").read_text())
    scenario = scenario_services.scenario_create(spec=spec, slug="rollout")
    groups = list(CellGroup.objects.filter(scenario=scenario).values_list("name", "count", "zone"))
    assert groups == [("cell-z1", 2, "z1"), ("cell-z2", 2, "z2")]
    assert [c["name"] for c in scenario.spec["cells"]] == ["cell-z1-0", "cell-z1-1", "cell-z2-0", "cell-z2-1"]


def test_cells_that_differ_stay_apart() -> None:
    spec = parse_scenario(
        {
            "name": "n",
            "zones": ["z1"],
            "cells": [
                {"name": "c-0", "zone": "z1"},
                {"name": "c-1", "zone": "z1", "memory_mb": 1024},
                {"name": "c-2", "zone": "z1", "memory_mb": 1024},
            ],
            "apps": [],
            "timeline": [],
        }
    )
    assert [(g["name"], g["count"]) for g in parts_from_spec(spec).cell_groups] == [
        ("c-0", 1),
        ("c-1", 1),
        ("c-2", 1),
    ]


def test_a_group_of_forty_cells_is_forty_cells_in_the_spec() -> None:
    spec = parse_scenario(
        {
            "name": "n",
            "zones": ["z1"],
            "cells": [{"name": "big", "zone": "z1"}],
            "apps": [],
            "timeline": [],
        }
    )
    parts = parts_from_spec(spec)
    parts.cell_groups[0]["count"] = 40
    cells = parse_scenario(draft_from_parts(parts).data).cells
    assert [c.name for c in cells[:2]] + [cells[-1].name] == ["big-0", "big-1", "big-39"]
    assert {c.memory_mb for c in cells} == {32768}


@pytest.mark.parametrize(
    ("problem", "place"),
    [
        ("apps[2].memory_mb: must be > 0", Place("apps", 2, "memory_mb", "must be > 0")),
        (
            "apps[0].health_check.timeout_s: must be <= 180",
            Place("apps", 0, "health_check_timeout_s", "must be <= 180"),
        ),
        (
            "apps[1].crash.max_s: must be >= min_s (30)",
            Place("apps", 1, "crash_max_s", "must be >= min_s (30)"),
        ),
        ("cells[3].zone: unknown zone 'z9'", Place("cell_groups", 1, "zone", "unknown zone 'z9'")),
        (
            "cells: must list at least one cell",
            Place("cell_groups", None, None, "must list at least one cell"),
        ),
        ("timeline[1].cell: unknown cell 'x'", Place("timeline", 1, "cell", "unknown cell 'x'")),
        (
            "timeline[0].cell: a push action takes no cell",
            Place("timeline", 0, "cell", "a push action takes no cell"),
        ),
        ("narration[0]: say when", Place("narration", 0, None, "say when")),
        ("timing.jitter: must be <= 1", Place("scenario", None, "jitter", "must be <= 1")),
        ("eirini.scheduler: must be one of", Place("scenario", None, "scheduler", "must be one of")),
        ("duration_s: must be > 0", Place("scenario", None, "duration_s", "must be > 0")),
        ("zones: must not repeat a value", Place("zones", None, None, "must not repeat a value")),
        ("scenario: must be an object", Place("scenario", None, None, "scenario: must be an object")),
    ],
)
def test_a_problem_is_placed_on_its_part_and_field(problem: str, place: Place) -> None:
    parts = parts_from_spec(load_scenario_json((LIBRARY[0].parent / "rootfs-rollout.json").read_text()))
    # Groups: cell-z1 (cells 0 and 1), cell-z2 (cells 2 and 3).
    assert problem_place(problem, draft_from_parts(parts)) == place


def test_absurd_numbers_are_refused_with_their_place_before_anything_is_saved() -> None:
    data = scenario_to_data(load_scenario_json((LIBRARY[0].parent / "cf-push.json").read_text()))
    data["cells"][2]["memory_mb"] = 10**30
    data["apps"][0]["health_check"] = {"type": "port", "timeout_s": 60}
    data["apps"][0]["package_mb"] = 1e12
    data["timing"] = {"blobstore_bandwidth_mb_s": 1e9}
    data["zones"][0] = "z" * 101
    data["cells"][0]["zone"] = data["cells"][1]["zone"] = "z" * 101
    with pytest.raises(ScenarioError) as error:
        scenario_services.scenario_create(spec=parse_scenario(data), slug="absurd")
    assert error.value.problems == [
        "timing.blobstore_bandwidth_mb_s: Ensure this value is less than or equal to 100000.",
        "zones[0]: Ensure this value has at most 100 characters (it has 101).",
        "cells[0].zone: Ensure this value has at most 100 characters (it has 101).",
        "cells[2].memory_mb: Ensure this value is less than or equal to 4194304.",
        "apps[0].package_mb: Ensure this value is less than or equal to 1048576.",
    ]
    assert not Scenario.objects.exists()


def test_a_duplicate_is_an_editable_copy_under_a_new_slug() -> None:
    scenario_services.scenario_load_library()
    original = Scenario.objects.get(slug="cf-push")
    copy = scenario_services.scenario_duplicate(scenario=original)
    again = scenario_services.scenario_duplicate(scenario=original)
    assert (copy.slug, again.slug) == ("cf-push-copy", "cf-push-copy-2")
    assert not copy.builtin
    assert copy.name == "cf push: 3 instances on 3 cells in 2 zones (copy)"
    assert dataclasses.replace(copy.parsed(), name=original.name) == original.parsed()


def test_the_library_reads_yaml_files_too(tmp_path: Path, settings: object) -> None:
    spec = load_scenario_json(LIBRARY[0].read_text())
    (tmp_path / "from-yaml.yaml").write_text(dump_scenario(spec, "yaml"))
    settings.SCENARIO_LIBRARY_DIR = tmp_path  # type: ignore[attr-defined]
    (loaded,) = scenario_services.scenario_load_library()
    assert (loaded.slug, loaded.builtin, loaded.parsed()) == ("from-yaml", True, spec)


def test_the_library_will_not_take_over_a_scenario_made_here(tmp_path: Path, settings: object) -> None:
    spec = load_scenario_json(LIBRARY[0].read_text())
    mine = scenario_services.scenario_create(spec=spec, slug="cell-dies")
    settings.SCENARIO_LIBRARY_DIR = LIBRARY[0].parent  # type: ignore[attr-defined]
    with pytest.raises(ScenarioError, match="a scenario made here has the slug 'cell-dies'"):
        scenario_services.scenario_load_library()
    mine.refresh_from_db()
    assert not mine.builtin
    assert Scenario.objects.count() == 1


def test_loading_the_library_again_refreshes_the_built_ins_in_place() -> None:
    first = {s.slug: s.pk for s in scenario_services.scenario_load_library()}
    CellGroup.objects.filter(scenario_id=first["cf-push"]).update(memory_mb=1)
    second = {s.slug: s.pk for s in scenario_services.scenario_load_library()}
    assert first == second
    assert Scenario.objects.get(slug="cf-push").parsed() == load_scenario_json(
        (LIBRARY[0].parent / "cf-push.json").read_text()
    )


def test_the_editor_has_a_field_for_every_setting_with_the_simulators_default() -> None:
    for section, defaults in (("timing", Timing()), ("diego", DiegoSettings()), ("eirini", EiriniSettings())):
        for f in dataclasses.fields(defaults):
            assert Scenario._meta.get_field(f.name).get_default() == getattr(defaults, f.name), (
                section,
                f.name,
            )


def test_the_editor_offers_every_action_and_narration_event() -> None:
    assert tuple(TimelineAction.Kind.values) == ACTIONS
    assert tuple(NarrationStep.Event.values) == tuple(NARRATION_EVENTS)
    assert tuple(App.HealthCheck.values) == HEALTH_CHECK_TYPES
