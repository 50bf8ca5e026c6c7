"""Fleet mode in the scenario editor: an app's copies, the scenario's mode and its fleet settings
survive import, the parts and export, and their problems are shown on their fields."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cfviz import scenario_services, selectors
from cfviz.models import App, Scenario
from cfviz.scenario_parts import Place, draft_from_parts, parts_from_spec, problem_place
from simulator.scenario import MODES, FleetSettings, parse_scenario
from simulator.scenario_files import load_scenario_text
from tests.web.scenario_admin import (
    ADD_URL,
    an_action,
    an_app,
    form_data,
    make_user,
    part_counts,
    scenario_values,
)

pytestmark = pytest.mark.django_db

FLEET_SCENARIO: dict[str, Any] = {
    "name": "A small fleet",
    "seed": 3,
    "platforms": ["diego"],
    "mode": "fleet",
    "zones": ["z1"],
    "cells": [{"name": "cell-0", "zone": "z1"}, {"name": "cell-1", "zone": "z1"}],
    "apps": [{"name": "web", "instances": 2, "copies": 50}, {"name": "api", "memory_mb": 512}],
    "timeline": [{"at": 0, "action": "push", "app": "web"}, {"at": 0, "action": "push", "app": "api"}],
    "fleet": {"push_concurrency": 25, "push_api_calls": 9},
}


@pytest.fixture
def author(client: Client) -> Client:
    client.force_login(make_user("author", superuser=True))
    return client


def errors(response: Any) -> dict[str, list[str]]:
    """Every error on the page: ``field`` for the scenario's, ``part-index-field`` for a part's."""
    found = {field: list(messages) for field, messages in response.context["adminform"].form.errors.items()}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.non_form_errors():
            found[formset.prefix] = list(formset.non_form_errors())
        for i, item in enumerate(formset.forms):
            found.update({f"{formset.prefix}-{i}-{f}": list(m) for f, m in item.errors.items()})
    return found


def test_copies_mode_and_fleet_settings_are_kept_in_the_parts() -> None:
    spec = parse_scenario(FLEET_SCENARIO)
    scenario = scenario_services.scenario_create(spec=spec, slug="fleet")
    assert list(App.objects.filter(scenario=scenario).values_list("name", "copies")) == [
        ("web", 50),
        ("api", 1),
    ]
    assert (scenario.mode, scenario.push_concurrency, scenario.push_api_calls) == ("fleet", 25, 9)
    assert parse_scenario(draft_from_parts(selectors.scenario_parts(scenario)).data) == spec
    assert scenario.parsed() == spec


def test_an_imported_fleet_scenario_exports_identically(tmp_path: Path) -> None:
    """import_scenario → export_scenario gives the file's scenario, and exporting it again the same text."""
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(FLEET_SCENARIO))
    call_command("import_scenario", str(path), slug="fleet", stdout=io.StringIO())
    exported = io.StringIO()
    call_command("export_scenario", "fleet", stdout=exported)
    text = exported.getvalue()
    assert load_scenario_text(text, "json") == parse_scenario(FLEET_SCENARIO)

    again = tmp_path / "again.json"
    again.write_text(text)
    call_command("import_scenario", str(again), slug="again", stdout=io.StringIO())
    exported_again = io.StringIO()
    call_command("export_scenario", "again", stdout=exported_again)
    assert exported_again.getvalue() == text


def test_the_library_loads_a_fleet_scenario_with_its_copies_and_mode(
    tmp_path: Path, settings: object
) -> None:
    (tmp_path / "small-fleet.json").write_text(json.dumps(FLEET_SCENARIO))
    settings.SCENARIO_LIBRARY_DIR = tmp_path  # type: ignore[attr-defined]
    call_command("load_scenarios", stdout=io.StringIO())
    scenario = Scenario.objects.get(slug="small-fleet")
    assert scenario.builtin and scenario.mode == "fleet"
    assert scenario.parsed() == parse_scenario(FLEET_SCENARIO)


def test_counts_on_the_home_page_include_every_copy() -> None:
    scenario = scenario_services.scenario_create(spec=parse_scenario(FLEET_SCENARIO), slug="fleet")
    # 50 copies of web with 2 instances each, and api with 1.
    assert (scenario.app_count, scenario.instance_count) == (51, 101)
    assert scenario.instance_count == scenario.parsed().instance_count


def test_the_editor_has_the_simulators_modes_and_fleet_defaults() -> None:
    assert tuple(Scenario.Mode.values) == MODES
    assert Scenario._meta.get_field("mode").get_default() == "auto"
    for f in dataclasses.fields(FleetSettings):
        assert Scenario._meta.get_field(f.name).get_default() == getattr(FleetSettings(), f.name)
    assert App._meta.get_field("copies").get_default() == 1


@pytest.mark.parametrize(
    ("problem", "place"),
    [
        (
            "apps[1].copies: copies need fleet mode (mode: fleet or auto)",
            Place("apps", 1, "copies", "copies need fleet mode (mode: fleet or auto)"),
        ),
        (
            "mode: must be one of auto, detailed, fleet, not 'warp'",
            Place("scenario", None, "mode", "must be one of auto, detailed, fleet, not 'warp'"),
        ),
        ("fleet.push_concurrency: must be > 0", Place("scenario", None, "push_concurrency", "must be > 0")),
        ("fleet.push_api_calls: must be > 0", Place("scenario", None, "push_api_calls", "must be > 0")),
        (
            "apps: at most 1,000,000 instances in all, not 2,000,000",
            Place("apps", None, None, "at most 1,000,000 instances in all, not 2,000,000"),
        ),
    ],
)
def test_a_fleet_problem_is_placed_on_its_field(problem: str, place: Place) -> None:
    draft = draft_from_parts(parts_from_spec(parse_scenario(FLEET_SCENARIO)))
    assert problem_place(problem, draft) == place


def test_the_editor_saves_copies_mode_and_fleet_settings(author: Client) -> None:
    response = author.post(
        ADD_URL,
        form_data(
            scenario_values(mode="fleet", push_concurrency=10, push_api_calls=4),
            apps=[an_app(copies=30)],
        ),
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get(slug="my-scenario")
    assert App.objects.get(scenario=scenario).copies == 30
    spec = scenario.parsed()
    assert (spec.apps[0].copies, spec.mode, spec.fleet) == (30, "fleet", FleetSettings(10, 4))
    assert spec.is_fleet


def test_copies_in_a_detailed_scenario_are_refused_on_the_apps_copies(author: Client) -> None:
    before = part_counts()
    response = author.post(
        ADD_URL, form_data(scenario_values(mode="detailed"), apps=[an_app(), an_app(name="api", copies=3)])
    )
    assert response.status_code == 200
    assert errors(response) == {"apps-1-copies": ["Copies need fleet mode (mode: fleet or auto)"]}
    assert part_counts() == before


def test_a_mode_that_is_none_of_the_simulators_is_refused_on_the_mode(author: Client) -> None:
    before = part_counts()
    response = author.post(ADD_URL, form_data(scenario_values(mode="warp")))
    assert response.status_code == 200
    assert errors(response) == {"mode": ["Select a valid choice. warp is not one of the available choices."]}
    assert part_counts() == before


def test_fleet_settings_that_are_not_positive_are_refused_on_their_fields(author: Client) -> None:
    before = part_counts()
    response = author.post(ADD_URL, form_data(scenario_values(push_concurrency=0, push_api_calls=0)))
    assert response.status_code == 200
    assert errors(response) == {
        "push_concurrency": ["Must be more than 0."],
        "push_api_calls": ["Must be more than 0."],
    }
    assert part_counts() == before


def test_fleet_mode_refuses_what_it_cannot_replay_on_the_action(author: Client) -> None:
    before = part_counts()
    response = author.post(
        ADD_URL,
        form_data(
            scenario_values(mode="fleet"),
            timeline=[an_action(), an_action(action="scale", instances=3, at=10)],
        ),
    )
    assert response.status_code == 200
    assert list(errors(response)) == ["timeline-1-action"]
    assert errors(response)["timeline-1-action"][0].startswith("Fleet mode replays pushes only, not scale")
    assert part_counts() == before


def test_the_editor_shows_copies_mode_and_the_fleet_mode_settings(author: Client) -> None:
    page = author.get(ADD_URL).content.decode()
    for text in (
        'name="apps-0-copies"',
        'name="mode"',
        "Fleet mode",
        'name="push_concurrency"',
        'name="push_api_calls"',
        "Push the app this many times",
        "Push sessions at once",
    ):
        assert text in page, text
