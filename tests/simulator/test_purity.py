"""The simulator stays pure Python: no Django, Channels or cfviz, no wall clock, no global randomness."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SIMULATOR = Path(__file__).resolve().parents[2] / "simulator"
FORBIDDEN_PACKAGES = ("django", "channels", "cfviz", "daphne")
FORBIDDEN_CALLS = {("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("datetime", "now")}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_no_simulator_module_imports_django_channels_or_cfviz() -> None:
    """Every import statement under simulator/ names a module outside the web stack."""
    offenders = [
        f"{path.relative_to(SIMULATOR.parent)}: {name}"
        for path in sorted(SIMULATOR.rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN_PACKAGES
    ]
    assert offenders == []


def test_importing_and_running_the_simulator_loads_no_web_package() -> None:
    """A fresh interpreter that runs a scenario has no Django or Channels module loaded."""
    code = (
        "import sys, json;"
        "from simulator.scenario import load_scenario_json;"
        "from simulator.simulation import Simulation;"
        "Simulation(load_scenario_json(open('scenarios/cf-push.json').read())).run();"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_PACKAGES!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=SIMULATOR.parent, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_simulator_reads_no_wall_clock_and_uses_no_global_random_state() -> None:
    """Time comes from the engine and randomness from the run's own generator."""
    offenders = []
    for path in sorted(SIMULATOR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                    offenders.append(f"{path.name}: {node.value.id}.{node.attr}")
                if node.value.id == "random" and node.attr not in ("Random",):
                    offenders.append(f"{path.name}: random.{node.attr} (module-level generator)")
    assert offenders == []
