"""Who may do what: staff with the scenario permissions edit, built-ins stay read-only, anyone
views and runs scenarios unless the deployment says otherwise."""

from __future__ import annotations

import pytest
from django.test import Client

from cfviz.models import Run, Scenario
from tests.web.scenario_admin import ADD_URL, change_url, form_data, make_user, part_counts, saved_form_data

CHANGELIST = "/admin/cfviz/scenario/"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("builtin_scenarios")]


def test_someone_not_logged_in_is_sent_to_the_admin_login(client: Client) -> None:
    for url in (CHANGELIST, ADD_URL, "/admin/cfviz/scenario/import/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_user_who_is_not_staff_cannot_create_or_edit_scenarios(client: Client) -> None:
    client.force_login(make_user("viewer", staff=False, perms=("add_scenario", "change_scenario")))
    before = part_counts()
    response = client.post(ADD_URL, form_data())
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert (
        client.get(f"/admin/cfviz/scenario/{Scenario.objects.get(slug='cf-push').pk}/preview/").status_code
        == 302
    )
    assert part_counts() == before


def test_staff_without_the_scenario_permissions_are_refused(client: Client) -> None:
    client.force_login(make_user("intern"))
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, form_data()).status_code == 403
    assert client.get("/admin/cfviz/scenario/import/").status_code == 403
    assert not Scenario.objects.filter(builtin=False).exists()


def test_staff_with_the_permissions_create_and_edit_scenarios_and_their_parts(client: Client) -> None:
    client.force_login(make_user("teacher", perms=("view_scenario", "add_scenario", "change_scenario")))
    assert client.post(ADD_URL, form_data()).status_code == 302
    scenario = Scenario.objects.get(slug="my-scenario")
    assert client.post(change_url(scenario), saved_form_data(scenario, seed=99)).status_code == 302
    scenario.refresh_from_db()
    assert scenario.spec["seed"] == 99


def test_staff_who_may_only_view_see_scenarios_but_cannot_change_them(client: Client) -> None:
    client.force_login(make_user("watcher", perms=("view_scenario",)))
    scenario = Scenario.objects.get(slug="cf-push")
    response = client.get(change_url(scenario))
    assert response.status_code == 200
    assert all(not inline.has_change_permission for inline in response.context["inline_admin_formsets"])
    assert client.post(change_url(scenario), saved_form_data(scenario, seed=5)).status_code == 403
    assert client.get(f"/admin/cfviz/scenario/{scenario.pk}/preview/").status_code == 200


def test_a_built_in_is_read_only_even_for_a_superuser(client: Client) -> None:
    client.force_login(make_user("root", superuser=True))
    scenario = Scenario.objects.get(slug="cf-push")
    page = client.get(change_url(scenario))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert all(not inline.has_add_permission for inline in page.context["inline_admin_formsets"])
    assert client.post(change_url(scenario), saved_form_data(scenario, seed=5)).status_code == 403
    assert client.post(f"/admin/cfviz/scenario/{scenario.pk}/delete/", {"post": "yes"}).status_code == 403
    scenario.refresh_from_db()
    assert scenario.spec["seed"] == 42


def test_deleting_built_ins_from_the_list_is_refused(client: Client) -> None:
    client.force_login(make_user("root", superuser=True))
    builtin = Scenario.objects.get(slug="cf-push")
    selected = {"action": "delete_selected", "_selected_action": [builtin.pk]}
    confirmation = client.post(CHANGELIST, selected).content.decode()
    assert "your account doesn't have permission to delete" in confirmation
    assert "built-in scenario “cf push: 3 instances on 3 cells in 2 zones”" in confirmation
    assert client.post(CHANGELIST, {**selected, "post": "yes"}).status_code == 403
    assert Scenario.objects.filter(pk=builtin.pk).exists()


def test_duplicating_a_built_in_gives_an_editable_copy(client: Client) -> None:
    client.force_login(make_user("teacher", perms=("view_scenario", "add_scenario", "change_scenario")))
    builtin = Scenario.objects.get(slug="cf-push")
    response = client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [builtin.pk], "index": 0})
    copy = Scenario.objects.get(slug="cf-push-copy")
    assert response["Location"] == change_url(copy)
    page = client.get(change_url(copy))
    assert page.context["has_change_permission"]
    assert client.post(change_url(copy), saved_form_data(copy, seed=5)).status_code == 302


def test_only_those_who_may_add_see_the_duplicate_action(client: Client) -> None:
    client.force_login(make_user("watcher", perms=("view_scenario",)))
    page = client.get(CHANGELIST).content.decode()
    assert ">Export as JSON</option>" in page
    assert ">Duplicate as an editable copy</option>" not in page


def test_anyone_may_view_and_run_scenarios(client: Client) -> None:
    assert "cf push: 3 instances on 3 cells in 2 zones" in client.get("/").content.decode()
    assert client.post("/runs/", {"scenario": "cf-push"}).status_code == 302
    assert Run.objects.count() == 1


def test_a_deployment_may_keep_runs_to_staff(client: Client, settings: object) -> None:
    settings.RUNS_PUBLIC = False  # type: ignore[attr-defined]
    assert client.post("/runs/", {"scenario": "cf-push"}).status_code == 404
    client.force_login(make_user("teacher"))
    assert client.post("/runs/", {"scenario": "cf-push"}).status_code == 302
