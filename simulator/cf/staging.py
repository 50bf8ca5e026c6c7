"""What staging does the same on every platform: the buildpack's output and its compile time."""

from __future__ import annotations

from simulator.scenario import AppSpec, Timing


def compile_lines(spec: AppSpec) -> tuple[str, ...]:
    """The STG lines a buildpack prints before it compiles."""
    return (
        "Staging app...",
        f"-----> {spec.buildpack} detected",
        "-----> Installing dependencies and compiling",
    )


def compile_seconds(spec: AppSpec, timing: Timing) -> float:
    """The app's own staging time, or the scenario's default (before jitter)."""
    return spec.staging_s if spec.staging_s is not None else timing.staging_compile_s
