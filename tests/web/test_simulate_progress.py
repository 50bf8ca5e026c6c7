"""manage.py simulate shows a progress bar for long runs, on standard error, without changing the run."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

CRASHING = Path(__file__).resolve().parents[2] / "scenarios" / "crashing-app.json"


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def simulate(*args: str, stderr: StringIO | None = None) -> tuple[str, str]:
    out, err = StringIO(), stderr if stderr is not None else StringIO()
    call_command("simulate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def without_wall_time(text: str) -> list[str]:
    return [line for line in text.splitlines() if "wall time" not in line]


@pytest.mark.parametrize("compare", [[], ["--compare"]])
def test_progress_goes_to_standard_error_and_changes_nothing_else(tmp_path: Path, compare: list[str]) -> None:
    plain_log, bar_log = tmp_path / "plain.jsonl", tmp_path / "bar.jsonl"
    plain, quiet = simulate(str(CRASHING), *compare, "--out", str(plain_log))
    shown, bar = simulate(str(CRASHING), *compare, "--progress", "--out", str(bar_log))
    assert quiet == ""
    assert [line for line in without_wall_time(shown) if "wrote" not in line] == [
        line for line in without_wall_time(plain) if "wrote" not in line
    ]
    assert bar_log.read_text() == plain_log.read_text()
    frames = bar.split("\r")[1:]
    assert frames[0].startswith("[") and "s simulated" in frames[0]
    assert frames[-1].startswith("[##############################] 100%  900 / 900 s simulated")
    assert bar.endswith("\n")


def test_a_terminal_gets_the_bar_for_a_long_run_unless_told_not_to() -> None:
    assert "s simulated" in simulate(str(CRASHING), stderr=Terminal())[1]
    assert simulate(str(CRASHING), "--no-progress", stderr=Terminal())[1] == ""


def test_a_short_run_or_a_pipe_gets_no_bar() -> None:
    assert simulate(str(CRASHING), "--until", "200", stderr=Terminal())[1] == ""
    assert simulate(str(CRASHING))[1] == ""


def test_the_bar_follows_until() -> None:
    output, bar = simulate(str(CRASHING), "--until", "450", "--progress")
    assert "simulated 450.0 s" in output
    assert bar.split("\r")[-1].startswith("[##############################] 100%  450 / 450 s simulated")
