"""The cf push scenario on Diego alone in a real browser: run it, read the diagram, ask why an instance landed where it did."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import (
    APP_ROUTE,
    RUN_TIMEOUT_MS,
    RUNNING_INSTANCES,
    placements,
    play_fast,
    start_cf_push,
    worker_drawn_around,
)

SECONDS = re.compile(r"^\d+\.\d s$")


def test_a_pushed_app_runs_three_instances_and_explains_where_each_landed(
    live_asgi_url: str, page: Page
) -> None:
    start_cf_push(page, live_asgi_url, platform="diego")
    play_fast(page)

    expect(page.locator("svg.diagram")).to_have_count(1)
    expect(page.locator(RUNNING_INSTANCES)).to_have_count(3, timeout=RUN_TIMEOUT_MS)
    expect(page.locator(f"[data-route='{APP_ROUTE}'] .endpoint")).to_have_count(3)
    expect(page.locator("#app-summary [data-app='web']")).to_contain_text("3 of 3 instances running")

    instance = page.locator(RUNNING_INSTANCES).first
    key = instance.get_attribute("data-instance") or ""
    drawn_in = worker_drawn_around(page, "#diagram", key)
    assert instance.get_attribute("data-cell") == drawn_in
    instance.click()

    winner = page.locator("#decision-table tr[data-winner='true']")
    expect(winner).to_have_count(1)
    expect(winner).to_contain_text("winner")
    assert winner.get_attribute("data-cell") == drawn_in
    expect(page.locator("#decision-heading")).to_have_text(f"{key} → {drawn_in}")
    expect(page.locator(f"#diagram [data-instance='{key}']")).to_have_class(
        "work instance state--RUNNING is-selected"
    )

    expect(page.locator("#log-lines")).to_contain_text(f"[APP/PROC/WEB/{key.split('/')[1]}] OUT")
    expect(page.locator("#run-status")).to_have_text("finished", timeout=RUN_TIMEOUT_MS)
    # Every token lands and takes its nodes with it: a screen left on all day does not grow.
    expect(page.locator("#diagram .layer-tokens > *")).to_have_count(0)
    # The run's headline figures are on the comparison strip, in words.
    expect(page.locator("[data-headline='all_running_at'][data-platform='diego']")).to_have_text(SECONDS)


def test_a_second_viewer_watches_the_same_run_without_controls(
    live_asgi_url: str, page: Page, browser: Browser
) -> None:
    run_url = start_cf_push(page, live_asgi_url, platform="diego")
    play_fast(page)
    expect(page.locator(RUNNING_INSTANCES)).to_have_count(3, timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#watch-banner")).to_be_hidden()

    # Another browser context has its own cookies: another session, not the run's owner.
    watcher_context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        watcher = watcher_context.new_page()
        watcher.goto(run_url)
        banner = watcher.locator("#watch-banner")
        expect(banner).to_be_visible()
        expect(banner).to_have_text(
            "You are watching: only the person who started this run, or staff, can control it"
        )
        for name in ("Play", "Pause", "Restart"):
            expect(watcher.get_by_role("button", name=name, exact=True)).to_be_disabled()
        expect(watcher.get_by_label("Speed")).to_be_disabled()

        expect(watcher.locator(RUNNING_INSTANCES)).to_have_count(3, timeout=RUN_TIMEOUT_MS)
        assert placements(watcher) == placements(page)
    finally:
        watcher_context.close()


def test_a_run_page_whose_socket_is_refused_says_so_and_disables_its_controls(
    live_asgi_url: str, page: Page
) -> None:
    """As the server closes it for a deployment that keeps runs to staff (code 4403)."""
    page.route_web_socket(re.compile(r".*/ws/runs/.*"), lambda ws: ws.close(code=4403, reason="staff only"))
    start_cf_push(page, live_asgi_url)

    expect(page.locator("#connection")).to_have_text("staff only")
    expect(page.locator("#gone-banner")).to_have_text(
        "On this deployment, runs are for staff only: log in as staff to watch"
    )
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_disabled()
