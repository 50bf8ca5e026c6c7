"""Steps the browser tests share: starting the cf push scenario and playing it to the end."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

CF_PUSH = "cf-push"
APP_ROUTE = "web.apps.example.com"
RUNNING_INSTANCES = "#diagram [data-instance][data-state='RUNNING']"
# At 100× the push (about 35 simulated seconds) takes well under a second; the rest is slack
# for a slow CI machine.
RUN_TIMEOUT_MS = 30_000


def start_cf_push(page: Page, base_url: str) -> str:
    """Start the cf push scenario from the home page; return the run page's URL."""
    page.goto(f"{base_url}/")
    page.get_by_role("button", name=re.compile(r"^Start cf push")).click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))
    return page.url


def play_fast(page: Page) -> None:
    """Press Play and set the speed to 100×, as the run's owner."""
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    play.click()
    page.get_by_label("Speed").select_option("100")
    expect(page.locator("#speed-now")).to_have_text("100×")


def placements(page: Page) -> dict[str, str]:
    """Which cell each instance is drawn in, by instance key."""
    chips = page.locator("#diagram [data-instance]")
    return {
        chips.nth(i).get_attribute("data-instance") or "": chips.nth(i).get_attribute("data-cell") or ""
        for i in range(chips.count())
    }
