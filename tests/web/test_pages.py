"""The home page, starting a run, the run page and a finished run's event log."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cfviz.models import Run
from simulator.records import dumps_log
from simulator.scenario import parse_scenario
from simulator.simulation import Simulation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("builtin_scenarios")]


def test_the_home_page_lists_the_built_in_push_scenario(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "cf push: 3 instances on 3 cells in 2 zones" in response.content.decode()


def test_starting_a_scenario_creates_a_run_owned_by_this_browser_and_opens_it(client: Client) -> None:
    response = client.post("/runs/", {"scenario": "cf-push"})
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/runs/{run.id}/"
    assert run.owner_session == client.session.session_key
    assert run.seed == 42
    assert run.platform == "both"  # the scenario is written for both platforms
    assert run.spec["name"] == run.scenario_name


@pytest.mark.parametrize("platform", ["diego", "eirini", "both"])
def test_the_starter_chooses_the_platform(client: Client, platform: str) -> None:
    client.post("/runs/", {"scenario": "cf-push", "platform": platform})
    assert Run.objects.get().platform == platform


def test_an_unknown_platform_is_refused_with_a_message(client: Client) -> None:
    response = client.post("/runs/", {"scenario": "cf-push", "platform": "mesos"}, follow=True)
    assert "unknown platform &#x27;mesos&#x27;" in response.content.decode()
    assert not Run.objects.exists()


def test_starting_an_unknown_scenario_says_so_and_creates_nothing(client: Client) -> None:
    response = client.post("/runs/", {"scenario": "no-such-thing"}, follow=True)
    assert "There is no scenario &#x27;no-such-thing&#x27;." in response.content.decode()
    assert not Run.objects.exists()


def test_starting_a_run_needs_a_post_with_a_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.get("/runs/").status_code == 405
    assert strict.post("/runs/", {"scenario": "cf-push"}).status_code == 403
    assert not Run.objects.exists()


def test_the_run_page_tells_the_browser_which_socket_to_open(client: Client) -> None:
    client.post("/runs/", {"scenario": "cf-push"})
    run = Run.objects.get()
    page = client.get(f"/runs/{run.id}/").content.decode()
    start = page.index('<script id="run-config" type="application/json">') + len(
        '<script id="run-config" type="application/json">'
    )
    config = json.loads(page[start : page.index("</script>", start)])
    assert config == {
        "run_id": str(run.id),
        "ws_path": f"/ws/runs/{run.id}/",
        "scenario_name": run.scenario_name,
        "platforms": ["diego", "eirini"],
        "moment": None,
    }


def test_an_unknown_run_page_is_not_found(client: Client) -> None:
    assert client.get("/runs/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_pages_are_served_with_a_content_security_policy(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_admin_asks_for_a_login(client: Client) -> None:
    response = client.get("/admin/cfviz/scenario/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_finished_runs_event_log_downloads_as_json_lines(client: Client) -> None:
    client.post("/runs/", {"scenario": "cf-push"})
    run = Run.objects.get()
    assert client.get(f"/runs/{run.id}/events.jsonl").status_code == 404
    sim = Simulation(parse_scenario(run.spec), run.seed)
    sim.run()
    run.event_log = dumps_log(sim.records)
    run.save()
    response = client.get(f"/runs/{run.id}/events.jsonl")
    assert response.status_code == 200
    assert response.content.decode() == dumps_log(sim.records)


def test_a_permalink_tells_the_page_which_moment_to_show(client: Client) -> None:
    client.post("/runs/", {"scenario": "cf-push"})
    run = Run.objects.get()
    page = client.get(f"/runs/{run.id}/?branch=1&t=31.5").content.decode()
    assert '"moment": {"t": 31.5, "branch": 1}' in page


def test_a_malformed_permalink_is_said_and_ignored(client: Client) -> None:
    client.post("/runs/", {"scenario": "cf-push"})
    run = Run.objects.get()
    page = client.get(f"/runs/{run.id}/?t=soon").content.decode()
    assert "is not valid; showing the live run instead" in page
    assert '"moment": null' in page
