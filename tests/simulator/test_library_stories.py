"""The library's two comparison stories show what their descriptions say."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.comparison import Comparison
from simulator.scenario import Scenario, load_scenario_json

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def story(name: str) -> Scenario:
    return load_scenario_json((LIBRARY / f"{name}.json").read_text())


def test_the_auction_and_kube_scheduler_place_the_same_apps_differently() -> None:
    """Diego spreads every app over zones and cells and fills the small cell most; Kubernetes
    puts more of the big api instances on the large node and little on the small one."""
    scenario = story("auction-vs-kube-scheduler")
    comparison = Comparison(scenario)
    comparison.run()
    summary = comparison.summary()
    diego, eirini = summary["diego"]["placements"], summary["eirini"]["placements"]
    assert set(diego) == set(eirini) and None not in diego.values() and None not in eirini.values()
    assert sum(diego[i] != eirini[i] for i in diego) >= len(diego) // 2

    memory = {app.name: app.memory_mb for app in scenario.apps}
    capacity = {cell.name: cell.memory_mb for cell in scenario.cells}

    def fullest(placements: dict[str, str]) -> str:
        used = {cell: 0 for cell in capacity}
        for instance, cell in placements.items():
            used[cell] += memory[instance.split("/")[0]]
        return max(used, key=lambda c: used[c] / capacity[c])

    assert fullest(diego) == "small-z1"

    def on(placements: dict[str, str], cell: str, app: str = "") -> int:
        return sum(1 for i, c in placements.items() if i.startswith(app) and c == cell)

    assert on(eirini, "large-z1", "api/") > on(diego, "large-z1", "api/")
    assert on(eirini, "small-z1") < on(diego, "small-z1")


def test_twelve_parallel_pushes_queue_at_bits_service_and_slow_eirini_down() -> None:
    comparison = Comparison(story("eirini-staging-bottleneck"))
    comparison.run()
    summary = comparison.summary()
    diego, eirini = summary["diego"]["all_running_at"], summary["eirini"]["all_running_at"]
    assert eirini > 2 * diego
    registry = comparison.runs["eirini"].platform.registry  # type: ignore[attr-defined]
    waiting = [
        int(re.search(r"(\d+) waiting", r["state"]).group(1))  # type: ignore[union-attr]
        for r in comparison.runs["eirini"].records
        if r["kind"] == "state" and r.get("entity") == "registry"
    ]
    assert max(waiting) >= 6 and registry.longest_wait_s > 3


def test_one_push_is_not_held_up_by_bits_service() -> None:
    """The contrast: a single push never waits for bits-service."""
    comparison = Comparison(story("cf-push"))
    comparison.run()
    assert comparison.runs["eirini"].platform.registry.longest_wait_s == 0  # type: ignore[attr-defined]
