"""Operations after the push in a real browser: a rootfs rollout's outage bands and summary, and a live cell failure."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import (
    RUN_TIMEOUT_MS,
    RUNNING_INSTANCES,
    SCREENSHOT_VIEWPORT,
    diagram,
    placements,
    play_fast,
    start_cf_push,
    start_scenario,
)

# About 470 simulated seconds: under five at 100×; the rest is slack for a slow CI machine.
ROLLOUT_TIMEOUT_MS = 60_000
ORDINARY_RUNNING = "#diagram [data-instance][data-presence='ordinary'][data-state='RUNNING']"


def metric(page: Page, key: str, platform: str) -> float:
    """A figure of the run summary, as the number behind its text."""
    cell = page.locator(f"#run-summary [data-metric='{key}'][data-platform='{platform}']")
    expect(cell).to_have_attribute("data-value", re.compile(r"^\d"))
    return float(cell.get_attribute("data-value") or "nan")


def test_a_rootfs_rollout_takes_the_one_instance_app_down_on_eirini_only(
    live_asgi_url: str, page: Page
) -> None:
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    start_scenario(page, live_asgi_url, "rootfs-rollout", platform="both")
    play_fast(page)
    expect(page.locator("#run-status")).to_have_text("finished", timeout=ROLLOUT_TIMEOUT_MS)

    # Eirini recreates solo's only pod with the new rootfs: solo has no instance for a while.
    band = page.locator("[data-outage][data-platform='eirini'][data-app='solo']")
    expect(band).to_have_count(1)
    expect(page.locator("[data-outage][data-platform='eirini']")).to_have_count(1)
    expect(page.locator("[data-outage-text][data-platform='eirini'][data-app='solo']")).to_have_text(
        re.compile(r"^solo down \d+\.\d–\d+\.\d s \(\d+\.\d s\)$")
    )
    # Diego evacuates each cell: every instance is replaced before it stops.
    expect(page.locator("[data-outage][data-platform='diego']")).to_have_count(0)
    expect(page.locator("[data-outages][data-platform='diego']")).to_contain_text("no outages")

    summary = page.locator("#run-summary")
    expect(summary).to_have_attribute("data-finished", "true")
    assert metric(page, "unavailable_s", "eirini") > 0
    assert metric(page, "unavailable_s", "diego") == 0
    assert metric(page, "longest_outage_s", "eirini") == metric(page, "unavailable_s", "eirini")
    expect(page.locator("[data-summary-verdict]")).to_contain_text("Diego: no outage")
    rollout = "roll out rootfs cflinuxfs4 1.99.0"
    for platform in ("diego", "eirini"):
        expect(page.locator(f"[data-convergence='{rollout}'][data-platform='{platform}']")).to_have_text(
            re.compile(r"^\d+\.\d s$")
        )
    # The rollout is marked on both charts; the initial pushes are not.
    expect(page.locator("[data-action-marker='rootfs']")).to_have_count(2)
    expect(page.locator("[data-action-marker='push']")).to_have_count(0)

    # Who did it: BOSH on Diego; kubectl and helm and the rootfs patcher on Eirini.
    expect(page.locator(f"{diagram('diego')} [data-component='bosh']")).to_be_visible()
    for component in ("operator", "rootfs-patcher"):
        expect(page.locator(f"{diagram('eirini')} [data-component='{component}']")).to_be_visible()
    # Every Diego cell now runs the new rootfs, and says so.
    expect(page.locator(f"{diagram('diego')} [data-cell-box] .cell-state.is-new")).to_have_count(4)
    expect(page.locator(f"{diagram('diego')} [data-cell-box='cell-z1-0']")).to_contain_text(
        "cflinuxfs4 1.99.0"
    )


def test_the_owner_fails_a_cell_and_diego_replaces_its_instance_while_a_watcher_cannot(
    live_asgi_url: str, page: Page, browser: Browser
) -> None:
    run_url = start_cf_push(page, live_asgi_url, platform="diego")
    play_fast(page)
    expect(page.locator(RUNNING_INSTANCES)).to_have_count(3, timeout=RUN_TIMEOUT_MS)

    watcher_context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        watcher = watcher_context.new_page()
        watcher.goto(run_url)
        expect(watcher.locator("#watch-banner")).to_be_visible()
        expect(watcher.get_by_role("button", name="Roll out")).to_be_disabled()
        web = watcher.locator("#app-summary [data-app='web']")
        expect(web.get_by_role("button", name="Scale")).to_be_disabled()
        expect(web.get_by_role("button", name="Stop web")).to_be_disabled()
        # A watcher may open a cell's actions to see them, but not use them.
        watcher.locator("#diagram [data-cell-box='cell-z1-0'] .cell-name").click()
        menu = watcher.get_by_role("dialog", name="Act on cell cell-z1-0")
        expect(menu).to_be_visible()
        expect(menu.get_by_role("button", name="Fail")).to_be_disabled()
        expect(menu).to_contain_text("You are watching")
        watcher.keyboard.press("Escape")
        expect(menu).to_be_hidden()

        # The owner fails a cell that runs an instance, from the keyboard.
        cell = placements(page)["web/0"]
        box = page.locator(f"#diagram [data-cell-box='{cell}']")
        box.focus()
        page.keyboard.press("Enter")
        menu = page.get_by_role("dialog", name=f"Act on cell {cell}")
        expect(menu).to_be_visible()
        expect(menu.get_by_role("button", name="Evacuate")).to_be_focused()
        page.keyboard.press("Tab")
        expect(menu.get_by_role("button", name="Fail")).to_be_focused()
        page.keyboard.press("Enter")
        expect(menu).to_be_hidden()

        expect(box).to_have_attribute("data-state", "failed", timeout=RUN_TIMEOUT_MS)
        expect(box.locator(".cell-state")).to_have_text("failed")
        # Convergence replaces the lost instance on a live cell; none is left drawn in the dead one.
        expect(page.locator(ORDINARY_RUNNING)).to_have_count(3, timeout=RUN_TIMEOUT_MS)
        expect(page.locator(f"#diagram [data-instance][data-cell='{cell}']")).to_have_count(
            0, timeout=RUN_TIMEOUT_MS
        )
        expect(page.locator("[data-action-marker='fail']")).to_have_count(1)
        # The watcher sees it happen too.
        expect(watcher.locator(f"#diagram [data-cell-box='{cell}']")).to_have_attribute(
            "data-state", "failed"
        )
        expect(watcher.locator(ORDINARY_RUNNING)).to_have_count(3, timeout=RUN_TIMEOUT_MS)
    finally:
        watcher_context.close()
