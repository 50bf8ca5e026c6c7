"""The scenario editor in a real browser: write a scenario with its parts, see a problem on its
field, fix it, preview it on both platforms and open it in the dashboard."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from cfviz.models import Scenario

PASSWORD = "pw-for-browser-tests"
SECONDS = re.compile(r"^\d+\.\d s$")


def log_in_as_staff(page: Page, base_url: str, next_path: str) -> None:
    get_user_model().objects.create_superuser("teacher", "teacher@example.com", PASSWORD)
    page.goto(f"{base_url}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


def test_a_teacher_writes_a_scenario_fixes_a_problem_previews_it_and_runs_it(
    live_asgi_url: str, page: Page
) -> None:
    add_path = "/admin/cfviz/scenario/add/"
    log_in_as_staff(page, live_asgi_url, add_path)

    # Typed key by key: the admin fills the slug in as the name is typed.
    page.locator("#id_name").press_sequentially("Classroom push")
    expect(page.locator("#id_slug")).to_have_value("classroom-push")
    page.locator("#id_zones-0-name").fill("z1")
    page.locator("#id_cell_groups-0-name").fill("cell")
    page.locator("#id_cell_groups-0-count").fill("3")
    page.locator("#id_cell_groups-0-zone").fill("z9")  # not one of the zones
    page.locator("#id_cell_groups-0-memory_mb").fill("16384")
    page.locator("#id_apps-0-name").fill("web")
    page.locator("#id_apps-0-instances").fill("3")
    page.locator("#id_timeline-0-at").fill("1")
    page.locator("#id_timeline-0-action").select_option("push")
    page.locator("#id_timeline-0-app").fill("web")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".errornote")).to_contain_text("Please correct the error below.")
    zone_cell = page.locator("td.field-zone", has=page.locator("#id_cell_groups-0-zone"))
    expect(zone_cell.locator(".errorlist")).to_have_text("Unknown zone 'z9' (zones: z1)")
    assert not Scenario.objects.filter(slug="classroom-push").exists()

    page.locator("#id_cell_groups-0-zone").fill("z1")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    scenario = Scenario.objects.get(slug="classroom-push")
    assert [cell["name"] for cell in scenario.spec["cells"]] == ["cell-0", "cell-1", "cell-2"]

    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page).to_have_url(f"{live_asgi_url}/admin/cfviz/scenario/{scenario.pk}/preview/")
    for platform, heading in (("diego", "Diego"), ("eirini", "Eirini on Kubernetes")):
        section = page.locator(f"[data-preview-platform='{platform}']")
        expect(section.get_by_role("heading", level=2)).to_have_text(heading)
        expect(section.locator("[data-figure='all_running_at']")).to_have_text(SECONDS)
        expect(section.locator("tr[data-app='web']")).to_contain_text("RUNNING")
        expect(section.locator("tr[data-cell]")).to_have_count(3)

    page.get_by_label("Platform").select_option("both")
    page.get_by_role("button", name="Start a live run").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))
    expect(page.locator("svg.diagram[data-platform='diego']")).to_be_visible()
    expect(page.locator("svg.diagram[data-platform='eirini']")).to_be_visible()
    expect(page.locator("#run-status")).to_be_visible()


def test_a_built_in_is_read_only_and_duplicating_it_gives_an_editable_copy(
    live_asgi_url: str, page: Page
) -> None:
    builtin = Scenario.objects.get(slug="cf-push")
    change_path = f"/admin/cfviz/scenario/{builtin.pk}/change/"
    log_in_as_staff(page, live_asgi_url, change_path)
    expect(page.locator("#id_name")).to_have_count(0)
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)

    page.locator("select[name='CHANGE_FORM-action']").select_option("duplicate")
    page.get_by_role("button", name="Run").click()
    copy = Scenario.objects.get(slug="cf-push-copy")
    expect(page).to_have_url(f"{live_asgi_url}/admin/cfviz/scenario/{copy.pk}/change/")
    expect(page.locator("#id_name")).to_have_value("cf push: 3 instances on 3 cells in 2 zones (copy)")
    expect(page.locator("#id_cell_groups-0-name")).to_have_value("cell-z1")
