"""Scenarios, their parts (the editable source of a scenario's spec) and runs."""

from __future__ import annotations

from cfviz.models.parts import App, CellGroup, NarrationStep, TimelineAction, Zone
from cfviz.models.run import Run
from cfviz.models.scenario import Scenario

__all__ = ["App", "CellGroup", "NarrationStep", "Run", "Scenario", "TimelineAction", "Zone"]
