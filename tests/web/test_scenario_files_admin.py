"""Export and import in the admin: files round-trip identically, and a bad file is refused with
every problem named and nothing saved."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfviz.models import Scenario
from simulator.scenario_files import MAX_FILE_BYTES, dump_scenario
from tests.web.scenario_admin import change_url, make_user, part_counts

CHANGELIST = "/admin/cfviz/scenario/"
IMPORT_URL = "/admin/cfviz/scenario/import/"
PUSH = Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("builtin_scenarios")]


@pytest.fixture
def author(client: Client) -> Client:
    client.force_login(make_user("author", superuser=True))
    return client


def export(client: Client, fmt: str, *scenarios: Scenario) -> bytes:
    response = client.post(
        CHANGELIST, {"action": f"export_{fmt}", "_selected_action": [s.pk for s in scenarios], "index": 0}
    )
    assert response.status_code == 200, response.content[:500]
    return response.content


def upload(client: Client, name: str, content: str | bytes, slug: str = "") -> tuple[int, list[str]]:
    data = content.encode() if isinstance(content, str) else content
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data), "slug": slug})
    if response.status_code == 302:
        return 302, []
    form = response.context["form"]
    return response.status_code, [m for messages in form.errors.values() for m in messages]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_exporting_and_importing_again_gives_the_same_file(author: Client, fmt: str) -> None:
    original = Scenario.objects.get(slug="rootfs-rollout")
    text = export(author, fmt, original)
    assert text.decode() == dump_scenario(original.parsed(), fmt)
    assert upload(author, f"rollout.{fmt}", text, slug="my-rollout")[0] == 302
    imported = Scenario.objects.get(slug="my-rollout")
    assert imported.parsed() == original.parsed()
    assert not imported.builtin
    assert export(author, fmt, imported) == text


def test_an_export_downloads_as_a_named_file(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cf-push")
    response = author.post(
        CHANGELIST, {"action": "export_yaml", "_selected_action": [scenario.pk], "index": 0}
    )
    assert response["Content-Disposition"] == 'attachment; filename="cf-push.yaml"'
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert yaml.safe_load(response.content)["name"] == scenario.name


def test_exporting_several_gives_a_zip_of_files(author: Client) -> None:
    scenarios = list(Scenario.objects.filter(slug__in=["cf-push", "cell-dies"]))
    archive = zipfile.ZipFile(io.BytesIO(export(author, "json", *scenarios)))
    assert sorted(archive.namelist()) == ["cell-dies.json", "cf-push.json"]
    assert json.loads(archive.read("cf-push.json"))["name"] == "cf push: 3 instances on 3 cells in 2 zones"


def test_the_change_form_offers_the_same_actions(author: Client) -> None:
    scenario = Scenario.objects.get(slug="cf-push")
    page = author.get(change_url(scenario)).content.decode()
    for label in ("Preview", "Duplicate as an editable copy", "Export as JSON", "Export as YAML"):
        assert f">{label}</option>" in page
    response = author.post(
        change_url(scenario), {"CHANGE_FORM-action": "export_json", "_selected_action": scenario.pk}
    )
    assert response.content.decode() == dump_scenario(scenario.parsed(), "json")


def test_an_imported_file_can_take_its_slug_from_its_name(author: Client) -> None:
    assert upload(author, "push.json", PUSH.read_text())[0] == 302
    assert Scenario.objects.filter(slug="cf-push-3-instances-on-3-cells-in-2-zones").exists()
    assert upload(author, "push.json", PUSH.read_text())[0] == 302
    assert Scenario.objects.filter(slug="cf-push-3-instances-on-3-cells-in-2-zones-2").exists()


def test_an_import_warns_of_what_cannot_converge(author: Client) -> None:
    data = json.loads(PUSH.read_text())
    data["apps"][0]["memory_mb"] = 20000
    response = author.post(
        IMPORT_URL, {"file": SimpleUploadedFile("big.json", json.dumps(data).encode())}, follow=True
    )
    assert (
        "Pre-flight: web needs 20,000 MB of memory per instance but no cell has more than 16,384 MB: it can never be placed."
        in [str(m) for m in response.context["messages"]]
    )


def broken(**changes: object) -> str:
    data = json.loads(PUSH.read_text())
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.json", "{not json", ["not valid JSON: Expecting property name enclosed in double quotes"]),
        ("bad.yaml", "name: [unclosed", ["not valid YAML"]),
        ("list.yaml", "- a\n- list\n", ["scenario: must be an object, not a list"]),
        (
            "schema.json",
            broken(colour="red", apps="web"),
            ["colour: unknown field", "apps: must be a list, not a string"],
        ),
        (
            "negative.json",
            broken(apps__0__memory_mb=-5, cells__0__disk_mb=-1, timeline__0__at=-3),
            [
                "cells[0].disk_mb: must be > 0",
                "apps[0].memory_mb: must be > 0",
                "timeline[0].at: must be >= 0",
            ],
        ),
        (
            "absurd.json",
            broken(cells__1__memory_mb=10**30, apps__0__instances=10**9),
            ["apps[0].instances: must be <= 100000"],
        ),
        (
            "absurd.yaml",
            "name: x\nzones: [z1]\ncells: [{name: c, zone: z1, memory_mb: 1e400}]\napps: []\ntimeline: []\n",
            ["cells[0].memory_mb: must be a number, not a string"],
        ),
        ("huge.json", '{"name": 1e999}', ["name: must be a string, not float"]),
        (
            "names.json",
            broken(cells__0__zone="z9", timeline__0__app="api"),
            ["cells[0].zone: unknown zone 'z9' (zones: z1, z2)", "timeline[0].app: unknown app 'api'"],
        ),
        ("notes.txt", "{}", ["notes.txt: a scenario file ends in .json, .yaml or .yml"]),
        ("binary.json", b"\xff\xfe", ["not UTF-8 text"]),
    ],
)
def test_a_bad_file_names_every_problem_and_saves_nothing(
    author: Client, name: str, content: str | bytes, expected: list[str]
) -> None:
    before = part_counts()
    status, problems = upload(author, name, content)
    assert status == 200
    for text in expected:
        assert any(p.startswith(text) for p in problems), problems
    assert part_counts() == before


def test_numbers_too_large_to_mean_are_refused_after_parsing_and_nothing_is_saved(author: Client) -> None:
    before = part_counts()
    status, problems = upload(
        author, "absurd.json", broken(cells__1__memory_mb=10**30, apps__0__package_mb=1e15)
    )
    assert status == 200
    assert problems == [
        "cells[1].memory_mb: Ensure this value is less than or equal to 4194304.",
        "apps[0].package_mb: Ensure this value is less than or equal to 1048576.",
    ]
    assert part_counts() == before


def test_a_file_over_the_size_limit_is_refused_unread(author: Client) -> None:
    status, problems = upload(author, "huge.json", b" " * (MAX_FILE_BYTES + 1))
    assert (status, problems) == (
        200,
        [f"The file is {MAX_FILE_BYTES + 1:,} bytes; a scenario file may be at most {MAX_FILE_BYTES:,}."],
    )


def test_an_import_will_not_take_a_slug_in_use(author: Client) -> None:
    before = part_counts()
    status, problems = upload(author, "push.json", PUSH.read_text(), slug="cf-push")
    assert (status, problems) == (200, ["A scenario with this slug exists already; choose another."])
    assert part_counts() == before
