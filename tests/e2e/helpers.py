"""Steps the browser tests share: starting a scenario, playing it, reading the diagrams."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

CF_PUSH = "cf-push"
APP_ROUTE = "web.apps.example.com"
RUNNING_INSTANCES = "#diagram [data-instance][data-state='RUNNING']"
# At 100× the push (about 35 simulated seconds on Diego, 65 on Eirini) takes well under a
# second; the rest is slack for a slow CI machine.
RUN_TIMEOUT_MS = 30_000
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
# The README screenshot: wide enough for the two diagrams side by side.
SCREENSHOT_VIEWPORT = {"width": 1600, "height": 1000}


def diagram(platform: str) -> str:
    """The selector of a platform's diagram (its root SVG)."""
    return f"svg.diagram[data-platform='{platform}']"


def running_instances(platform: str) -> str:
    return f"{diagram(platform)} [data-instance][data-state='RUNNING']"


def start_scenario(page: Page, base_url: str, slug: str, platform: str = "diego") -> str:
    """Start a built-in scenario from the home page on a platform; return the run page's URL."""
    page.goto(f"{base_url}/")
    card = page.locator(f"[data-scenario-card='{slug}']")
    card.locator("select[name='platform']").select_option(platform)
    card.get_by_role("button", name=re.compile(r"^Start ")).click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))
    return page.url


def start_cf_push(page: Page, base_url: str, platform: str = "diego") -> str:
    """Start the cf push scenario from the home page on a platform; return the run page's URL."""
    return start_scenario(page, base_url, CF_PUSH, platform)


def play_fast(page: Page) -> None:
    """Press Play and set the speed to 100×, as the run's owner."""
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    play.click()
    page.get_by_label("Speed").select_option("100")
    expect(page.locator("#speed-now")).to_have_text("100×")


def placements(page: Page, scope: str = "#diagram") -> dict[str, str]:
    """Which cell (or node) each instance is drawn in, by instance key."""
    chips = page.locator(f"{scope} [data-instance]")
    return {
        chips.nth(i).get_attribute("data-instance") or "": chips.nth(i).get_attribute("data-cell") or ""
        for i in range(chips.count())
    }


def worker_drawn_around(page: Page, scope: str, instance: str) -> str:
    """The cell or node whose box contains the instance's container on screen."""
    chip = page.locator(f"{scope} [data-instance='{instance}']").bounding_box()
    assert chip is not None
    frames = page.locator(f"{scope} [data-cell-box]")
    for i in range(frames.count()):
        frame = frames.nth(i)
        box = frame.locator(".cell-frame").bounding_box()
        assert box is not None
        if (
            box["x"] <= chip["x"]
            and chip["x"] + chip["width"] <= box["x"] + box["width"]
            and box["y"] <= chip["y"]
            and chip["y"] + chip["height"] <= box["y"] + box["height"]
        ):
            return frame.get_attribute("data-cell-box") or ""
    raise AssertionError(f"{instance} is not drawn inside any cell or node")


def save_screenshot_if_asked(page: Page) -> None:
    """With CFVIZ_SCREENSHOT set, save the page as the README's screenshot."""
    if not os.environ.get("CFVIZ_SCREENSHOT"):
        return
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(500)  # let the smooth scroll to a decision panel settle
    page.screenshot(path=str(SCREENSHOT), full_page=True)
