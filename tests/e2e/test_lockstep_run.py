"""The cf push scenario on Diego and Eirini side by side, on one clock: both diagrams, the strip comparing them, a pod's decision."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    RUN_TIMEOUT_MS,
    SCREENSHOT_VIEWPORT,
    diagram,
    play_fast,
    running_instances,
    save_screenshot_if_asked,
    start_cf_push,
    worker_drawn_around,
)

SECONDS = re.compile(r"^\d+\.\d s$")


def headline(page: Page, figure: str, platform: str) -> float:
    """A headline figure as the strip shows it, once known ("31.3 s")."""
    value = page.locator(f"[data-headline='{figure}'][data-platform='{platform}']")
    expect(value).to_have_text(SECONDS)
    return float((value.text_content() or "").removesuffix(" s"))


def test_a_lockstep_push_runs_on_both_platforms_and_explains_a_pods_node(
    live_asgi_url: str, page: Page
) -> None:
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    start_cf_push(page, live_asgi_url, platform="both")
    expect(page.locator("svg.diagram")).to_have_count(2)
    expect(page.get_by_role("heading", name="Diego", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Eirini on Kubernetes", exact=True)).to_be_visible()
    # Eirini's side says which Diego concepts Kubernetes has no counterpart for.
    expect(
        page.locator("[data-part='diagram'][data-platform='eirini'] [data-note='stacks']")
    ).to_contain_text("Stacks")
    expect(page.locator("[data-part='diagram'][data-platform='diego'] [data-note]")).to_have_count(0)
    play_fast(page)

    for platform in ("diego", "eirini"):
        expect(page.locator(running_instances(platform))).to_have_count(3, timeout=RUN_TIMEOUT_MS)
    diego_running = headline(page, "all_running_at", "diego")
    eirini_running = headline(page, "all_running_at", "eirini")
    assert diego_running < eirini_running
    assert headline(page, "first_routable_at", "diego") < headline(page, "first_routable_at", "eirini")
    expect(page.locator("[data-compare]")).to_contain_text("Eirini on Kubernetes had all instances running")

    # Where things are drawn is read before a click scrolls the page to a decision panel.
    diego_instance = page.locator(running_instances("diego")).first
    diego_key = diego_instance.get_attribute("data-instance") or ""
    diego_cell = worker_drawn_around(page, diagram("diego"), diego_key)

    # Why is this pod on this node? kube-scheduler's answer, in the same table as Diego's.
    pod = page.locator(running_instances("eirini")).first
    key = pod.get_attribute("data-instance") or ""
    drawn_in = worker_drawn_around(page, diagram("eirini"), key)
    assert pod.get_attribute("data-cell") == drawn_in
    pod.click()

    table = page.locator("#decision-table-eirini")
    winner = table.locator("tr[data-winner='true']")
    expect(winner).to_have_count(1)
    expect(winner).to_contain_text("✓ winner")
    assert winner.get_attribute("data-cell") == drawn_in
    expect(page.locator("#decision-heading-eirini")).to_have_text(f"{key} → {drawn_in}")
    expect(page.locator("#decision-panel-eirini [data-rule]")).to_contain_text("highest total wins")
    plugins = page.evaluate("(key) => Object.keys(window.cfviz.views.eirini.decisions[key].weights)", key)
    assert "LeastRequestedPriority" in plugins or "NodeResourcesFit" in plugins
    columns = [text.strip() for text in table.locator("thead th").all_text_contents()]
    for plugin in plugins:
        assert any(column.startswith(plugin) for column in columns), (plugin, columns)
    assert columns[:3] == ["Node", "Zone", "Verdict"] and columns[-1] == "Total"
    # The Diego panel stays as it was: the two explanations can be read side by side.
    expect(page.locator("#decision-panel-diego [data-decision-hint]")).to_be_visible()

    diego_instance.click()
    expect(page.locator("#decision-table-diego tr[data-winner='true']")).to_have_attribute(
        "data-cell", diego_cell
    )
    expect(page.locator("#decision-panel-diego [data-rule]")).to_contain_text("lowest score wins")

    expect(page.locator("#run-status")).to_have_text("finished", timeout=RUN_TIMEOUT_MS)
    save_screenshot_if_asked(page)
