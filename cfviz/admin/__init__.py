"""The admin: the scenario editor and library (``scenarios``) and runs (``runs``)."""

from __future__ import annotations

from cfviz.admin import runs, scenarios

__all__ = ["runs", "scenarios"]
