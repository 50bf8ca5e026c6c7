"""Pre-flight: warnings about valid scenarios that cannot converge, each naming its place."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from simulator.preflight import PreflightWarning, preflight
from simulator.scenario import load_scenario_json, parse_scenario

LIBRARY = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.json"))

BASE: dict[str, Any] = {
    "name": "preflight",
    "zones": ["z1"],
    "cells": [
        {"name": "cell-0", "zone": "z1", "memory_mb": 4096, "disk_mb": 8192, "max_containers": 10},
        {"name": "cell-1", "zone": "z1", "memory_mb": 4096, "disk_mb": 8192, "max_containers": 10},
    ],
    "apps": [{"name": "web", "instances": 2, "memory_mb": 512, "disk_mb": 1024}],
    "timeline": [{"at": 1, "action": "push", "app": "web"}],
}


def warnings_for(**changes: Any) -> list[PreflightWarning]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return preflight(parse_scenario(data))


def texts(warnings: list[PreflightWarning]) -> list[str]:
    return [str(w) for w in warnings]


def app(**fields: Any) -> dict[str, Any]:
    return {**BASE["apps"][0], **fields}


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_the_built_in_scenarios_have_no_warnings(path: Path) -> None:
    assert preflight(load_scenario_json(path.read_text())) == []


def test_an_app_larger_than_every_cell_is_never_placed() -> None:
    warnings = warnings_for(apps=[app(memory_mb=8192, disk_mb=9000)])
    assert texts(warnings)[:2] == [
        "apps[0].memory_mb: web needs 8,192 MB of memory per instance but no cell has more than "
        "4,096 MB: it can never be placed",
        "apps[0].disk_mb: web needs 9,000 MB of disk per instance but no cell has more than "
        "8,192 MB: it can never be placed",
    ]


def test_demand_beyond_capacity_is_a_warning_on_the_cells() -> None:
    (warning,) = warnings_for(apps=[app(instances=17)])
    assert str(warning) == (
        "cells: the apps need 8,704 MB of memory at their peak but the cells they may use offer "
        "8,192: some instances can never be placed"
    )
    assert warning.platforms == ("diego", "eirini")


def test_a_scale_action_counts_towards_the_peak() -> None:
    (warning,) = warnings_for(
        apps=[app(memory_mb=64, disk_mb=64)],
        timeline=[
            {"at": 1, "action": "push", "app": "web"},
            {"at": 60, "action": "scale", "app": "web", "instances": 21},
        ],
    )
    assert warning.path == "cells"
    assert "need 21 containers" in warning.text


def test_placement_tags_no_cell_offers_mean_the_app_is_never_placed() -> None:
    (warning,) = warnings_for(apps=[app(placement_tags=["gpu"])])
    assert str(warning) == "apps[0].placement_tags: no cell takes work with gpu: web can never be placed"


def test_cells_that_all_require_tags_take_no_untagged_app() -> None:
    cells = [{**c, "placement_tags": ["secure"]} for c in BASE["cells"]]
    (warning,) = warnings_for(cells=cells)
    assert "no cell takes work with no placement tags" in warning.text


def test_a_segment_too_small_for_its_apps_is_found_even_when_the_total_fits() -> None:
    cells = [BASE["cells"][0], {**BASE["cells"][1], "placement_tags": ["secure"]}]
    (warning,) = warnings_for(cells=cells, apps=[app(instances=9, placement_tags=["secure"])])
    assert warning.text.startswith(
        "the apps need 4,608 MB of memory at their peak but the cells they may use offer 4,096"
    )


def test_a_stack_no_cell_has_stops_diego_only() -> None:
    (warning,) = warnings_for(apps=[app(stack="windows")])
    assert str(warning) == "apps[0].stack: no cell has the stack windows: Diego can never stage or place web"
    assert warning.platforms == ("diego",)


def test_staging_needs_cloud_controllers_minimums_on_diego() -> None:
    cells = [{**c, "disk_mb": 2048} for c in BASE["cells"]]
    (warning,) = warnings_for(cells=cells)
    assert "staging web needs a cell with 1,024 MB of memory and 4,096 MB of disk" in warning.text
    assert warning.platforms == ("diego",)


def test_an_app_slower_to_boot_than_its_health_check_never_runs() -> None:
    (warning,) = warnings_for(apps=[app(boot_s=90, health_check={"type": "port", "timeout_s": 60})])
    assert warning.path == "apps[0].boot_s"
    assert "crashes at every start and never runs" in warning.text


def test_an_app_never_pushed_is_said() -> None:
    (warning,) = warnings_for(timeline=[])
    assert str(warning) == "apps[0]: web is never pushed: the timeline has no push for it"


def test_acting_on_an_app_before_its_push_is_said() -> None:
    (warning,) = warnings_for(
        timeline=[{"at": 0, "action": "stop", "app": "web"}, {"at": 5, "action": "push", "app": "web"}]
    )
    assert str(warning) == "timeline[0]: cf stop web at 0 s comes before web is pushed"


def test_crashing_an_instance_the_app_does_not_have_is_said() -> None:
    (warning,) = warnings_for(
        timeline=[
            {"at": 1, "action": "push", "app": "web"},
            {"at": 60, "action": "crash", "app": "web", "index": 2},
        ]
    )
    assert str(warning) == "timeline[1].index: web has 2 instance(s) then: there is no instance 2 to crash"


def test_losing_a_cell_for_good_when_the_rest_cannot_hold_the_apps_is_said() -> None:
    warnings = warnings_for(
        apps=[app(instances=12)],
        timeline=[
            {"at": 1, "action": "push", "app": "web"},
            {"at": 100, "action": "fail", "cell": "cell-0"},
            {"at": 200, "action": "evacuate", "cell": "cell-1"},
        ],
    )
    assert texts(warnings) == [
        "timeline[1]: after cell-0 fails, the other cells offer 4,096 MB of memory for 6,144 needed: "
        "some instances can never all be placed again",
        "timeline[2]: while cell-1 is evacuated and restarting, the other cells offer 4,096 MB of memory "
        "for 6,144 needed: some instances wait until it is back",
    ]


def test_losing_the_only_cell_of_a_segment_is_said() -> None:
    cells = [BASE["cells"][0], {**BASE["cells"][1], "placement_tags": ["secure"]}]
    (warning,) = warnings_for(
        cells=cells,
        apps=[app(instances=1, placement_tags=["secure"])],
        timeline=[
            {"at": 1, "action": "push", "app": "web"},
            {"at": 50, "action": "evacuate", "cell": "cell-1"},
        ],
    )
    assert warning.text == (
        "while cell-1 is evacuated and restarting, the other cells offer 0 MB of memory for 512 needed: "
        "some instances wait until it is back"
    )
