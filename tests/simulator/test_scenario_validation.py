"""Scenario files: a valid one parses; an invalid one reports every problem with its path."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from simulator.scenario import ScenarioError, load_scenario_json, parse_scenario

MINIMAL: dict[str, Any] = {
    "name": "minimal",
    "zones": ["z1", "z2"],
    "cells": [{"name": "cell-1", "zone": "z1"}, {"name": "cell-2", "zone": "z2"}],
    "apps": [{"name": "web", "instances": 2}],
    "timeline": [
        {"at": 60, "action": "scale", "app": "web", "instances": 3},
        {"at": 0, "action": "push", "app": "web"},
    ],
}

# "path: what is wrong", with a non-empty path.
PROBLEM_SHAPE = re.compile(r"^[^:\s][^:]*: \S")


def minimal(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return caught.value.problems


def paths(problems: list[str]) -> list[str]:
    return [problem.split(": ", 1)[0] for problem in problems]


# --- valid scenarios ---------------------------------------------------------------------------


def test_a_minimal_scenario_parses_with_documented_defaults() -> None:
    """A scenario naming zones, cells, apps and a timeline parses; the rest takes defaults."""
    scenario = parse_scenario(minimal())

    assert scenario.name == "minimal"
    assert scenario.zones == ("z1", "z2")
    assert [(c.name, c.zone) for c in scenario.cells] == [("cell-1", "z1"), ("cell-2", "z2")]
    assert scenario.app("web").instances == 2
    # diego-release's auctioneer defaults (diego.md §1.11) and no proxy overhead (§1.5).
    assert scenario.diego.starting_container_weight == 0.25
    assert scenario.diego.bin_pack_first_fit_weight == 0.0
    assert scenario.diego.starting_container_count_maximum == 0
    assert scenario.diego.proxy_memory_mb == 0
    # Cloud Controller's default health-check timeout is 60 s (§2.3).
    assert scenario.app("web").health_check.timeout_s == 60.0
    assert scenario.cells[0].max_containers == 250  # diego.rep.max_containers (§2.2)


def test_the_timeline_is_sorted_by_time() -> None:
    """Actions may be listed in any order; the parsed timeline runs by ``at``."""
    scenario = parse_scenario(minimal())
    assert [(a.at, a.action) for a in scenario.timeline] == [(0.0, "push"), (60.0, "scale")]
    assert scenario.timeline[1].instances == 3


def test_json_text_parses_like_the_same_data() -> None:
    """load_scenario_json is parse_scenario over json.loads, for text and bytes alike."""
    text = json.dumps(minimal())
    assert load_scenario_json(text) == parse_scenario(minimal())
    assert load_scenario_json(text.encode()) == parse_scenario(minimal())


def test_a_scenario_round_trips_through_to_dict() -> None:
    """to_dict gives plain data that parses back to the same scenario."""
    scenario = parse_scenario(minimal())
    assert parse_scenario(json.loads(json.dumps(scenario.to_dict()))) == scenario


# --- invalid scenarios: every problem, each with its path --------------------------------------


def test_an_invalid_scenario_lists_every_problem_with_its_path() -> None:
    """All problems are collected in one pass, each as ``path: what is wrong``."""
    data = {
        "name": "broken",
        "colour": "blue",
        "zones": ["z1", "z2"],
        "cells": [
            {"name": "c1", "zone": "z1"},
            {"name": "c2", "zone": "z9"},
            {"name": "c1", "zone": "z2", "memory_mb": "lots"},
        ],
        "apps": [
            {"name": "web", "colour": "red"},
            {"name": "worker", "instances": True},
            {"name": "api", "memory_mb": 0},
        ],
        "timeline": [
            {"at": 0, "action": "push", "app": "ghost"},
            {"at": 10, "action": "scale", "app": "web"},
            {"at": 20, "action": "explode", "app": "web"},
        ],
        "diego": {"starting_container_weight": -1},
    }

    problems = problems_of(data)

    assert sorted(paths(problems)) == sorted(
        [
            "colour",
            "cells[1].zone",
            "cells[2].name",
            "cells[2].memory_mb",
            "apps[0].colour",
            "apps[1].instances",
            "apps[2].memory_mb",
            "timeline[0].app",
            "timeline[1].instances",
            "timeline[2].action",
            "diego.starting_container_weight",
        ]
    )
    assert "apps[2].memory_mb: must be > 0" in problems
    text = "\n".join(problems)
    assert "colour: unknown field" in problems
    assert "apps[0].colour: unknown field" in problems
    assert re.search(r"cells\[1\]\.zone: unknown zone 'z9'", text)
    assert re.search(r"cells\[2\]\.name: .*'c1'", text)
    assert "cells[2].memory_mb: must be a number, not a string" in problems
    assert "apps[1].instances: must be a number, not true/false" in problems
    assert "timeline[0].app: unknown app 'ghost'" in problems
    assert "timeline[1].instances: is required" in problems
    assert re.search(r"timeline\[2\]\.action: must be one of push, scale, stop", text)


def test_the_error_message_lists_each_problem_on_its_own_line() -> None:
    """ScenarioError is a ValueError whose text shows every problem."""
    with pytest.raises(ValueError) as caught:
        parse_scenario(minimal(apps=[{"name": "web", "memory_mb": -5, "disk_mb": 0}]))
    assert str(caught.value).splitlines()[1:] == [
        "- apps[0].memory_mb: must be > 0",
        "- apps[0].disk_mb: must be > 0",
    ]


def test_required_sections_are_reported_when_missing() -> None:
    """An empty object names each required top-level field."""
    assert sorted(paths(problems_of({}))) == ["apps", "cells", "name", "timeline", "zones"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"zones": []}, "zones"),
        ({"zones": "z1"}, "zones"),
        ({"cells": []}, "cells"),
        ({"cells": {"name": "c"}}, "cells"),
        ({"cells": ["cell-1"]}, "cells[0]"),
        ({"cells": [{"name": "c", "zone": "z1", "memory_mb": 0}]}, "cells[0].memory_mb"),
        ({"cells": [{"name": "c", "zone": "z1", "max_containers": -1}]}, "cells[0].max_containers"),
        ({"cells": [{"name": "c", "zone": "z1", "stacks": []}]}, "cells[0].stacks"),
        ({"cells": [{"name": "c"}]}, "cells[0].zone"),
        ({"apps": [{"name": "Web_App"}]}, "apps[0].name"),
        ({"apps": [{"name": "web"}, {"name": "web"}]}, "apps[1].name"),
        ({"apps": [{"name": "web", "health_check": {"type": "tcp"}}]}, "apps[0].health_check.type"),
        ({"apps": [{"name": "web", "health_check": {"timeout_s": 181}}]}, "apps[0].health_check.timeout_s"),
        ({"apps": [{"name": "web", "health_check": []}]}, "apps[0].health_check"),
        ({"apps": [{"name": "web", "placement_tags": ["a", "a"]}]}, "apps[0].placement_tags"),
        ({"apps": [{"name": "web", "instances": 1.5}]}, "apps[0].instances"),
        ({"timeline": [{"at": 0, "action": "push", "app": "web", "instances": 2}]}, "timeline[0].instances"),
        ({"timeline": [{"at": 2000, "action": "push", "app": "web"}]}, "timeline[0].at"),
        ({"timeline": [{"at": -1, "action": "push", "app": "web"}]}, "timeline[0].at"),
        ({"timing": {"jitter": 2}}, "timing.jitter"),
        ({"timing": {"container_create_s": 0}}, "timing.container_create_s"),
        ({"timing": {"warp": 9}}, "timing.warp"),
        ({"diego": {"bin_pack_first_fit_weight": 1.5}}, "diego.bin_pack_first_fit_weight"),
        ({"diego": {"starting_container_count_maximum": 2.5}}, "diego.starting_container_count_maximum"),
        ({"platforms": ["kubernetes"]}, "platforms"),
        ({"seed": "one"}, "seed"),
    ],
)
def test_each_kind_of_mistake_is_reported_at_its_path(change: dict[str, Any], path: str) -> None:
    """Wrong types, bad values, unknown names and duplicates are each reported at their own path."""
    problems = problems_of(minimal(**change))
    assert path in paths(problems)
    assert all(PROBLEM_SHAPE.match(p) for p in problems)


def test_a_scale_action_without_instances_is_rejected() -> None:
    """``scale`` needs a target instance count; the other actions must not carry one."""
    timeline = [{"at": 5, "action": "scale", "app": "web"}]
    assert problems_of(minimal(timeline=timeline)) == ["timeline[0].instances: is required"]


def test_cells_without_names_are_not_also_reported_as_duplicates() -> None:
    """A missing name is one problem per cell, not a spurious 'already named' problem as well."""
    problems = problems_of(minimal(cells=[{"zone": "z1"}, {"zone": "z2"}]))
    assert problems == ["cells[0].name: is required", "cells[1].name: is required"]


def test_apps_without_names_are_not_also_reported_as_duplicates() -> None:
    """Two unnamed apps give two 'is required' problems and nothing else."""
    problems = problems_of(minimal(apps=[{}, {}], timeline=[]))
    assert problems == ["apps[0].name: is required", "apps[1].name: is required"]


# --- malformed input never escapes as another exception ----------------------------------------


def test_malformed_json_is_reported_as_a_problem() -> None:
    """Text that is not JSON gives one ScenarioError problem, not a JSONDecodeError."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario_json('{"name": "s", ')
    (problem,) = caught.value.problems
    assert problem.startswith("not valid JSON: ")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("{", id="truncated"),
        pytest.param("[]", id="list"),
        pytest.param("null", id="null"),
        pytest.param("42", id="number"),
        pytest.param('"scenario"', id="string"),
        pytest.param(b"\xff\xfe\x00", id="bad-utf16"),
        pytest.param(b"\x80{}", id="bad-utf8"),
        pytest.param("9" * 5000, id="number-too-long-to-convert"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="nested-too-deep"),
        pytest.param(json.dumps(minimal(seed=10**400)), id="huge-integer"),
        pytest.param(json.dumps(minimal(apps=[{"name": "web", "droplet_mb": 10**400}])), id="huge-number"),
        pytest.param(json.dumps(minimal()).replace('"instances": 2', '"instances": NaN'), id="nan"),
        pytest.param(json.dumps(minimal(duration_s=1e400)), id="infinity"),
    ],
)
def test_no_input_escapes_as_another_exception(text: str | bytes) -> None:
    """Whatever the text, the only exception is ScenarioError with well-formed problems."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario_json(text)
    assert caught.value.problems
    assert all(PROBLEM_SHAPE.match(p) for p in caught.value.problems)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([], id="list"),
        pytest.param(None, id="none"),
        pytest.param("scenario", id="string"),
        pytest.param({1: "x", "colour": "y", "name": "s"}, id="non-string-key"),
        pytest.param(
            minimal(cells=[{"name": "c", "zone": "z1", 3: 4, "colour": "y"}]), id="nested-non-string-key"
        ),
    ],
)
def test_plain_data_of_the_wrong_shape_raises_only_scenario_error(data: Any) -> None:
    """parse_scenario reports any plain data it cannot use as problems with a path."""
    problems = problems_of(data)
    assert problems
    assert all(PROBLEM_SHAPE.match(p) for p in problems)


def test_a_top_level_non_object_names_the_scenario_as_its_path() -> None:
    """The whole document has a path too, so the problem never starts with a bare colon."""
    assert problems_of([]) == ["scenario: must be an object, not a list"]
