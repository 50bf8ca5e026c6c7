"""Scenario files: JSON and YAML export and import round-trip identically; bad files say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenario import ScenarioError, load_scenario_json
from simulator.scenario_files import MAX_FILE_BYTES, dump_scenario, guess_format, load_scenario_text

LIBRARY = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.json"))


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_every_built_in_scenario_round_trips_identically(path: Path, fmt: str) -> None:
    """export → import gives the same scenario, and exporting that again gives the same text."""
    spec = load_scenario_json(path.read_text())
    text = dump_scenario(spec, fmt)
    again = load_scenario_text(text, fmt)
    assert again == spec
    assert dump_scenario(again, fmt) == text


def test_json_and_yaml_describe_the_same_scenario() -> None:
    spec = load_scenario_json(LIBRARY[0].read_text())
    assert load_scenario_text(dump_scenario(spec, "yaml"), "yaml") == load_scenario_text(
        dump_scenario(spec, "json"), "json"
    )


def test_the_canonical_form_leaves_out_defaults() -> None:
    spec = load_scenario_json(
        '{"name": "n", "zones": ["z"], "cells": [{"name": "c", "zone": "z"}], "apps": [{"name": "a"}],'
        ' "timeline": [{"at": 1, "action": "push", "app": "a"}]}'
    )
    text = dump_scenario(spec, "json")
    assert '"memory_mb"' not in text and '"timing"' not in text
    assert '"cells": [\n    {\n      "name": "c",\n      "zone": "z"\n    }\n  ]' in text


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("{not json", "json", "not valid JSON"),
        ("name: [unclosed", "yaml", "not valid YAML"),
        ("- just\n- a list\n", "yaml", "scenario: must be an object, not a list"),
        (b"\xff\xfe", "json", "not UTF-8 text"),
        ("{}", "toml", "unknown format 'toml'"),
        (
            "name: x\nzones: [z]\ncells: []\napps: []\ntimeline: []\n",
            "yaml",
            "cells: must list at least one cell",
        ),
    ],
)
def test_a_bad_file_names_its_problem(text: str | bytes, fmt: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario_text(text, fmt)
    assert any(expected in problem for problem in error.value.problems)


def test_a_huge_file_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(ScenarioError, match="may be at most"):
        load_scenario_text(" " * (MAX_FILE_BYTES + 1), "json")


def test_the_format_comes_from_the_file_name() -> None:
    assert guess_format("a.YML") == "yaml"
    assert guess_format("b.json") == "json"
    with pytest.raises(ScenarioError, match=r"ends in \.json, \.yaml or \.yml"):
        guess_format("c.txt")
