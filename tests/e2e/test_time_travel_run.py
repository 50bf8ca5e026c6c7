"""Time travel in a real browser: seek with the timeline, step both ways, open a permalink."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import RUN_TIMEOUT_MS, RUNNING_INSTANCES, placements, play_fast, start_cf_push


def seek(page: Page, t: float) -> None:
    """Drag the timeline to ``t`` (a range input: set its value, as a release of the thumb does)."""
    page.locator("#tt-slider").evaluate(
        "(el, t) => { el.value = String(t); el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }",
        t,
    )


def test_the_timeline_seeks_back_and_steps_return_to_the_same_moment(live_asgi_url: str, page: Page) -> None:
    start_cf_push(page, live_asgi_url, platform="diego")
    play_fast(page)
    expect(page.locator("#run-status")).to_have_text("finished", timeout=RUN_TIMEOUT_MS)
    expect(page.locator(RUNNING_INSTANCES)).to_have_count(3)

    # Back to before any instance ran: none is drawn running, and the clock says so.
    seek(page, 20)
    expect(page.locator("#clock-time")).to_have_text("00:20.0")
    expect(page.locator(RUNNING_INSTANCES)).to_have_count(0)
    # The timeline carries markers for the push and for the first routable instance.
    expect(page.locator(".tt-marker[data-kind='action']")).not_to_have_count(0)

    seek(page, 31.2)
    expect(page.locator("#clock-time")).to_have_text("00:31.2")
    seq_before = page.evaluate("window.cfviz.view.seq")
    page.get_by_role("button", name="event ›").click()
    page.wait_for_function("(n) => window.cfviz.view.seq > n", arg=seq_before)
    page.get_by_role("button", name="‹ event").click()
    page.wait_for_function("(n) => window.cfviz.view.seq === n", arg=seq_before)

    # The keyboard does the same, and ? shows the shortcuts.
    page.locator("body").press("ArrowRight")
    page.wait_for_function("(n) => window.cfviz.view.seq > n", arg=seq_before)
    page.locator("body").press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()


def test_a_permalink_shows_the_same_moment_in_a_fresh_browser(
    live_asgi_url: str, page: Page, browser: Browser
) -> None:
    start_cf_push(page, live_asgi_url, platform="diego")
    play_fast(page)
    expect(page.locator("#run-status")).to_have_text("finished", timeout=RUN_TIMEOUT_MS)
    seek(page, 31.2)
    expect(page.locator("#clock-time")).to_have_text("00:31.2")
    page.get_by_role("button", name="Copy link to this moment").click()
    link = page.locator("#tt-permalink").get_attribute("data-url")
    assert link is not None and "t=31.2" in link
    here = placements(page)
    states = page.evaluate(
        "Object.fromEntries(Object.entries(window.cfviz.view.instances).map(([k, v]) => [k, v.state]))"
    )

    fresh = browser.new_context()
    other = fresh.new_page()
    other.goto(link)
    expect(other.locator("#clock-time")).to_have_text("00:31.2", timeout=RUN_TIMEOUT_MS)
    expect(other.locator("#time-travel")).to_have_attribute("data-detached", "true")
    other.wait_for_function("(n) => Object.keys(window.cfviz.view.instances).length === n", arg=len(states))
    assert (
        other.evaluate(
            "Object.fromEntries(Object.entries(window.cfviz.view.instances).map(([k, v]) => [k, v.state]))"
        )
        == states
    )
    assert placements(other) == here
    fresh.close()


def test_the_story_of_the_push_is_told_as_the_run_reaches_each_step(live_asgi_url: str, page: Page) -> None:
    start_cf_push(page, live_asgi_url, platform="diego")
    story = page.get_by_role("region", name="The story")
    expect(story).to_contain_text("0 of 4")
    play_fast(page)
    expect(page.locator("#run-status")).to_have_text("finished", timeout=RUN_TIMEOUT_MS)
    expect(story).to_contain_text("4 of 4")
    expect(story).to_contain_text("Every instance runs and is routed")
