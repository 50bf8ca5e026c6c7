"""Preview: a scenario run headless for each of its platforms, summed up in the admin, with a
way into the live dashboard."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cfviz import preview
from cfviz.models import Run, Scenario
from simulator.comparison import Comparison
from simulator.view import ViewState
from tests.web.scenario_admin import make_user

CHANGELIST = "/admin/cfviz/scenario/"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("builtin_scenarios")]


@pytest.fixture
def author(client: Client) -> Client:
    client.force_login(make_user("author", superuser=True))
    return client


def preview_url(scenario: Scenario) -> str:
    return f"/admin/cfviz/scenario/{scenario.pk}/preview/"


def test_the_preview_sums_up_each_platform_as_an_uninterrupted_run_would(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cf-push")
    response = author.get(preview_url(scenario))
    assert response.status_code == 200
    expected = Comparison(scenario.parsed())
    expected.run()
    shown = response.context["preview"]
    assert shown.finished
    assert [p.platform for p in shown.platforms] == ["diego", "eirini"]
    for p in shown.platforms:
        summary = expected.summary()[p.platform]
        assert p.summary == summary
        assert {i for cell in p.cells for i in cell["instances"]} == set(summary["placements"])
        for cell in p.cells:
            assert all(summary["placements"][i] == cell["name"] for i in cell["instances"])
    page = response.content.decode()
    assert re.search(r'data-figure="all_running_at">\s*31\.3 s', page)
    assert '<tr data-cell="cell-z2-0"><td>cell-z2-0</td><td>z2</td><td>1</td>' in page


def test_the_preview_shows_outages_with_the_view_states_measures(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cell-dies")
    shown = author.get(preview_url(scenario)).context["preview"]
    comparison = Comparison(scenario.parsed())
    comparison.run()
    for p in shown.platforms:
        view = ViewState(scenario.parsed(), p.platform)
        view.apply_all(comparison.runs[p.platform].records)
        assert p.outages == [{"app": a, "start": s, "end": e} for a, s, e in view.outages]
        assert p.outages and p.outages[0]["app"] == "solo"
        assert p.metrics["unavailable_s"] == view.metrics["unavailable_s"] > 0


def test_a_scenario_for_one_platform_is_previewed_on_that_one(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cf-push")
    Scenario.objects.filter(pk=scenario.pk).update(platforms="eirini")
    scenario.refresh_from_db()
    shown = author.get(preview_url(scenario)).context["preview"]
    assert [p.platform for p in shown.platforms] == ["eirini"]


def test_a_preview_that_runs_out_of_time_says_how_far_it_got(
    author: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "BUDGET_S", 0.0)
    response = author.get(preview_url(Scenario.objects.get(slug="cf-push")))
    assert not response.context["preview"].finished
    assert "The preview stopped here to keep the page quick" in response.content.decode()


def test_open_in_dashboard_starts_a_live_run_of_the_scenario(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cf-push")
    page = author.get(preview_url(scenario)).content.decode()
    form = page[page.index('<form method="post" action="/runs/" id="open-in-dashboard"') :]
    form = form[: form.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="scenario" value="cf-push">' in form
    assert '<option value="both" selected>' in form
    response = author.post("/runs/", {"scenario": "cf-push", "platform": "diego"})
    run = Run.objects.get()
    assert response["Location"] == f"/runs/{run.id}/"
    assert (run.scenario, run.platform) == (scenario, "diego")


def test_the_preview_action_opens_the_preview_of_one_scenario(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cf-push")
    response = author.post(CHANGELIST, {"action": "preview", "_selected_action": [scenario.pk], "index": 0})
    assert response["Location"] == preview_url(scenario)
    two = list(Scenario.objects.values_list("pk", flat=True)[:2])
    response = author.post(
        CHANGELIST, {"action": "preview", "_selected_action": two, "index": 0}, follow=True
    )
    assert "Preview one scenario at a time." in [str(m) for m in response.context["messages"]]


def test_the_change_form_links_to_the_preview(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cf-push")
    page = author.get(f"/admin/cfviz/scenario/{scenario.pk}/change/").content.decode()
    assert f'<a href="{preview_url(scenario)}" class="viewlink" data-preview-link>Preview</a>' in page


def test_the_preview_of_an_unknown_scenario_goes_back_to_the_list(author: Client) -> None:
    response = author.get("/admin/cfviz/scenario/99999/preview/")
    assert response.status_code == 302


def test_a_fleet_scenario_is_previewed_with_fleet_figures_per_platform_and_zone(author: Client) -> None:
    scenario = Scenario.objects.get(slug="scale-eirini-2500")
    response = author.get(preview_url(scenario))
    assert response.status_code == 200
    shown = response.context["preview"]
    assert shown.platforms == []
    assert [f.platform for f in shown.fleet] == ["diego", "eirini"]
    if shown.finished:
        for f in shown.fleet:
            assert f.totals["running"] == f.totals["instances"] == 2500
            assert sum(z["running"] for z in f.zones) == 2500
            assert f.finished_at is not None
    page = response.content.decode()
    assert 'data-fleet aria-labelledby="preview-diego"' in page
    assert '<tr data-zone="z1"><td>z1</td><td>14</td>' in page
