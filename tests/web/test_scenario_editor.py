"""The scenario editor in the admin: a scenario and its parts saved together, every problem shown
on its field, and nothing saved when anything is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cfviz.models import App, Scenario, TimelineAction, Zone
from tests.web.scenario_admin import (
    ADD_URL,
    a_cell_group,
    an_action,
    an_app,
    change_url,
    form_data,
    make_user,
    part_counts,
    saved_form_data,
    scenario_values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client: Client) -> Client:
    client.force_login(make_user("author", superuser=True))
    return client


def errors(response: Any) -> dict[str, list[str]]:
    """Every error on the page by where it is: the scenario's field, or ``part-index-field``
    (``part-index`` for an item as a whole, ``part`` for the part as a whole)."""
    found: dict[str, list[str]] = {}
    form = response.context["adminform"].form
    for field, messages in form.errors.items():
        found[field if field != "__all__" else "scenario"] = list(messages)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.non_form_errors():
            found[formset.prefix] = list(formset.non_form_errors())
        for i, item in enumerate(formset.forms):
            for field, messages in item.errors.items():
                key = f"{formset.prefix}-{i}" if field == "__all__" else f"{formset.prefix}-{i}-{field}"
                found[key] = list(messages)
    return found


def test_a_scenario_is_saved_with_its_parts_and_its_spec_is_generated(author: Client) -> None:
    response = author.post(
        ADD_URL,
        form_data(
            zones=[{"name": "z1"}, {"name": "z2"}],
            cell_groups=[
                a_cell_group(count=40, memory_mb=32768),
                a_cell_group(name="odd", count=1, zone="z2"),
            ],
            apps=[an_app(placement_tags=""), an_app(name="api", instances=1, crash_min_s=30, crash_max_s=60)],
            timeline=[
                an_action(at=5, app="api"),
                an_action(),
                an_action(action="fail", app="", cell="cell-3", at=60),
            ],
            narration=[
                {
                    "chapter": "Push",
                    "text": "cf push",
                    "at": 0,
                    "event": "",
                    "app": "",
                    "cell": "",
                    "pause": "on",
                }
            ],
        ),
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get(slug="my-scenario")
    spec = scenario.parsed()
    assert len(spec.cells) == 41
    assert (
        spec.cells[0].name == "cell-0" and spec.cells[39].name == "cell-39" and spec.cells[40].name == "odd"
    )
    assert [a.describe() for a in spec.timeline] == ["cf push web", "cf push api", "fail cell-3"]
    assert spec.apps[1].crash is not None and spec.apps[1].crash.max_s == 60
    assert spec.narration[0].pause
    assert spec.platforms == ("diego", "eirini") and spec.seed == 7


def test_every_problem_is_shown_on_its_field_and_nothing_is_saved(author: Client) -> None:
    before = part_counts()
    response = author.post(
        ADD_URL,
        form_data(
            scenario_values(duration_s=300, jitter=2),
            zones=[{"name": "z1"}],
            cell_groups=[a_cell_group(zone="z9"), a_cell_group(name="Bad Name")],
            apps=[
                an_app(memory_mb=0, health_check_timeout_s=500),
                an_app(name="api", crash_min_s=50, crash_max_s=10),
            ],
            timeline=[
                an_action(app="nope"),
                an_action(action="evacuate", app="", cell="cell-9", at=10),
                an_action(at=400),
                an_action(cell="cell-0"),
            ],
        ),
    )
    assert response.status_code == 200
    assert errors(response) == {
        "jitter": ["Ensure this value is less than or equal to 1."],
        "cell_groups-0-zone": ["Unknown zone 'z9' (zones: z1)"],
        "cell_groups-1-name": [
            "Use lower-case letters, digits and hyphens (at most 63), starting and ending with a letter or digit."
        ],
        "apps-0-memory_mb": ["Must be more than 0."],
        "apps-0-health_check_timeout_s": ["Ensure this value is less than or equal to 180."],
        "apps-1-crash_max_s": ["Must be >= min_s (50)"],
        "timeline-0-app": ["Unknown app 'nope'"],
        "timeline-1-cell": ["Unknown cell 'cell-9'"],
        "timeline-2-at": ["400 s is after the scenario ends (300 s)"],
        "timeline-3-cell": ["A push action takes no cell"],
    }
    assert part_counts() == before


def test_an_invalid_edit_leaves_the_saved_scenario_and_its_parts_as_they_were(author: Client) -> None:
    author.post(ADD_URL, form_data())
    scenario = Scenario.objects.get()
    spec_before, counts_before = scenario.spec, part_counts()
    data = saved_form_data(scenario, name="renamed")
    data["zones-0-name"] = "zone-a"  # the cells still say z1
    data["apps-0-instances"] = 5
    data["timeline-TOTAL_FORMS"] = 2
    data.update({f"timeline-1-{k}": v for k, v in an_action(app="ghost").items()})
    response = author.post(change_url(scenario), data)
    assert response.status_code == 200
    assert errors(response) == {
        "cell_groups-0-zone": ["Unknown zone 'z1' (zones: zone-a)"],
        "timeline-1-app": ["Unknown app 'ghost'"],
    }
    scenario.refresh_from_db()
    assert (scenario.name, scenario.spec, part_counts()) == ("my scenario", spec_before, counts_before)
    assert list(Zone.objects.values_list("name", flat=True)) == ["z1"]
    assert App.objects.get().instances == 2


def test_a_valid_edit_regenerates_the_spec(author: Client) -> None:
    author.post(ADD_URL, form_data())
    scenario = Scenario.objects.get()
    data = saved_form_data(scenario, duration_s=120)
    data["cell_groups-0-count"] = 3
    data["apps-0-DELETE"] = "on"
    data["timeline-0-DELETE"] = "on"
    assert author.post(change_url(scenario), data).status_code == 302
    scenario.refresh_from_db()
    assert scenario.spec["duration_s"] == 120
    assert [c["name"] for c in scenario.spec["cells"]] == ["cell-0", "cell-1", "cell-2"]
    assert scenario.spec["apps"] == [] and scenario.spec["timeline"] == []
    assert not App.objects.exists() and not TimelineAction.objects.exists()


def test_removing_every_cell_is_said_on_the_cells(author: Client) -> None:
    response = author.post(ADD_URL, form_data(cell_groups=[], timeline=[]))
    assert errors(response) == {"cell_groups": ["Must list at least one cell"]}
    assert not Scenario.objects.exists()


def test_too_many_cells_in_all_is_said_without_building_them(author: Client) -> None:
    response = author.post(
        ADD_URL, form_data(cell_groups=[a_cell_group(count=5000), a_cell_group(name="more", count=5000)])
    )
    assert errors(response) == {"cell_groups": ["At most 5,000 cells, not 10,000"]}
    assert not Scenario.objects.exists()


def test_a_group_whose_cells_collide_with_another_cell_is_said_on_its_name(author: Client) -> None:
    response = author.post(
        ADD_URL, form_data(cell_groups=[a_cell_group(count=2), a_cell_group(name="cell-1", count=1)])
    )
    assert errors(response) == {"cell_groups-1-name": ["Another cell is already named 'cell-1'"]}


def test_a_narration_step_must_say_when_it_shows(author: Client) -> None:
    step = {"chapter": "c", "text": "t", "at": "", "event": "", "app": "", "cell": ""}
    response = author.post(
        ADD_URL, form_data(narration=[step, {**step, "event": "app-running", "app": "ghost"}])
    )
    assert errors(response) == {
        "narration-0": ["Say when it shows: at (seconds) or event (what happens)"],
        "narration-1-app": ["Unknown app 'ghost'"],
    }


def test_saving_warns_of_what_cannot_converge_but_saves(author: Client) -> None:
    response = author.post(
        ADD_URL,
        form_data(apps=[an_app(memory_mb=20000), an_app(name="seg", placement_tags="gpu")], timeline=[]),
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert (
        "Pre-flight: web needs 20,000 MB of memory per instance but no cell has more than 16,384 MB: it can never be placed."
        in messages
    )
    assert "Pre-flight: no cell takes work with gpu: seg can never be placed." in messages
    assert "Pre-flight: web is never pushed: the timeline has no push for it." in messages
    assert Scenario.objects.filter(slug="my-scenario").exists()


def test_diego_only_warnings_are_left_out_for_an_eirini_scenario(author: Client) -> None:
    response = author.post(
        ADD_URL, form_data(scenario_values(platforms="eirini"), apps=[an_app(stack="windows")]), follow=True
    )
    assert not [m for m in response.context["messages"] if "Pre-flight" in str(m)]
    response = author.post(
        ADD_URL, form_data(scenario_values(slug="on-diego"), apps=[an_app(stack="windows")]), follow=True
    )
    assert "Pre-flight: no cell has the stack windows: Diego can never stage or place web (Diego only)." in [
        str(m) for m in response.context["messages"]
    ]


def test_the_add_page_offers_one_empty_row_of_each_part(author: Client) -> None:
    response = author.get(ADD_URL)
    assert [inline.formset.prefix for inline in response.context["inline_admin_formsets"]] == [
        "zones",
        "cell_groups",
        "apps",
        "timeline",
        "narration",
    ]
    assert all(len(inline.formset.forms) == 1 for inline in response.context["inline_admin_formsets"])
    assert "How many identical cells: 40 gives 40 cells." in response.content.decode()
