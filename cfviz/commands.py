"""Control commands a viewer may send over the websocket, checked before anything acts on them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cfviz.runtime import MAX_BEAT_S, MAX_SPEED, MIN_BEAT_S, MIN_SPEED, PACING_MODES

# What a viewer may do to a live run (a push belongs on the scenario's timeline).
LIVE_ACTIONS = ("scale", "stop", "crash", "evacuate", "fail", "rootfs")

# A control message is a few dozen bytes; anything much larger is a mistake or an attack.
MAX_MESSAGE_BYTES = 4096
COMMANDS = (
    "play",
    "pause",
    "speed",
    "restart",
    "snapshot",
    "act",
    "seek",
    "step",
    "pacing",
    "branch",
    "detach",
    "attach",
    "fleet_query",
)
# What a fleet run answers (docs/fleet.md §3); the rest need the detailed model.
FLEET_COMMANDS = frozenset({"snapshot", "play", "pause", "speed", "restart", "seek", "step", "fleet_query"})
# Commands that change the shared run; the others only concern the sender (a detached viewer
# may use these on its private copy).
CONTROL_COMMANDS = frozenset({"play", "pause", "speed", "restart", "act", "seek", "step", "pacing", "branch"})
STEP_UNITS = ("event", "message")
STEP_DIRECTIONS = ("forward", "back")


class CommandError(ValueError):
    """A message that cannot be acted on; the text says what is wrong with it."""


@dataclass(frozen=True)
class Command:
    name: str
    value: float | None = None
    # For "act": the action's fields, checked against the scenario by the registry.
    action: dict[str, Any] | None = None
    # For "step": what to step by and which way; for "pacing": the mode.
    unit: str = "event"
    backwards: bool = False
    mode: str = "time"
    # For "fleet_query": the platform (optional) and the node or app asked about; for an app,
    # optionally ``why``: an instance index or "staging" (why that placement went where it did).
    query: dict[str, str] | None = None
    why: int | str | None = None

    @property
    def changes_run(self) -> bool:
        return self.name in CONTROL_COMMANDS


def parse_command(content: Any) -> Command:
    if not isinstance(content, dict):
        raise CommandError(f"a command must be a JSON object, not {type(content).__name__}")
    name = content.get("command")
    if name is None:
        raise CommandError('missing "command" (one of: ' + ", ".join(COMMANDS) + ")")
    if not isinstance(name, str):
        raise CommandError(f'"command" must be a string, not {type(name).__name__}')
    if name not in COMMANDS:
        raise CommandError(f"unknown command {name!r} (known: {', '.join(COMMANDS)})")
    if name == "act":
        action = content.get("action")
        if not isinstance(action, dict):
            raise CommandError('"act" needs an "action" object, e.g. {"action": "fail", "cell": "cell-1"}')
        extra = sorted(set(content) - {"command", "action"})
        if extra:
            raise CommandError(f"unexpected field(s) for 'act': {', '.join(extra)}")
        kind = action.get("action")
        if kind not in LIVE_ACTIONS:
            raise CommandError(f"unknown action {kind!r} (known: {', '.join(LIVE_ACTIONS)})")
        return Command(name, action=action)
    if name in ("seek", "step", "pacing"):
        return _parse_time_travel(name, content)
    if name == "fleet_query":
        return _parse_fleet_query(content)
    if name == "branch":
        branch = content.get("id")
        if isinstance(branch, bool) or not isinstance(branch, int) or branch < 0:
            raise CommandError('"branch" needs the branch\'s "id", a whole number')
        extra = sorted(set(content) - {"command", "id"})
        if extra:
            raise CommandError(f"unexpected field(s) for 'branch': {', '.join(extra)}")
        return Command(name, value=float(branch))
    allowed = {"command", "value"} if name == "speed" else {"command"}
    extra = sorted(set(content) - allowed)
    if extra:
        raise CommandError(f"unexpected field(s) for {name!r}: {', '.join(extra)}")
    if name != "speed":
        return Command(name)
    value = content.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CommandError(f'"speed" needs a number "value" from {MIN_SPEED:g} to {MAX_SPEED:g}')
    if not math.isfinite(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise CommandError(f"speed must be from {MIN_SPEED:g} to {MAX_SPEED:g}, not {value:g}")
    return Command(name, float(value))


def _parse_time_travel(name: str, content: dict[str, Any]) -> Command:
    allowed = {"seek": {"t"}, "step": {"unit", "direction"}, "pacing": {"mode", "beat_s"}}[name]
    extra = sorted(set(content) - allowed - {"command"})
    if extra:
        raise CommandError(f"unexpected field(s) for {name!r}: {', '.join(extra)}")
    if name == "seek":
        t = content.get("t")
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0:
            raise CommandError('"seek" needs a simulated time "t" in seconds, 0 or more')
        return Command(name, value=float(t))
    if name == "step":
        unit = content.get("unit", "event")
        direction = content.get("direction", "forward")
        if unit not in STEP_UNITS:
            raise CommandError(f"step by {', '.join(STEP_UNITS)}, not {unit!r}")
        if direction not in STEP_DIRECTIONS:
            raise CommandError(f"step {' or '.join(STEP_DIRECTIONS)}, not {direction!r}")
        return Command(name, unit=unit, backwards=direction == "back")
    mode = content.get("mode")
    if mode not in PACING_MODES:
        raise CommandError(f"pacing is one of {', '.join(PACING_MODES)}, not {mode!r}")
    beat = content.get("beat_s")
    if beat is not None and (
        isinstance(beat, bool) or not isinstance(beat, (int, float)) or not MIN_BEAT_S <= beat <= MAX_BEAT_S
    ):
        raise CommandError(f'"beat_s" must be from {MIN_BEAT_S:g} to {MAX_BEAT_S:g} seconds')
    return Command(name, value=None if beat is None else float(beat), mode=mode)


def _parse_fleet_query(content: dict[str, Any]) -> Command:
    extra = sorted(set(content) - {"command", "platform", "node", "app", "why"})
    if extra:
        raise CommandError(f"unexpected field(s) for 'fleet_query': {', '.join(extra)}")
    asked = [key for key in ("node", "app") if key in content]
    if len(asked) != 1:
        raise CommandError('"fleet_query" asks about one "node" or one "app"')
    query: dict[str, str] = {}
    why = content.get("why")
    if "why" in content:
        if "app" not in content:
            raise CommandError('"why" asks about one of an "app"\'s placements: give the "app"')
        if why != "staging" and (isinstance(why, bool) or not isinstance(why, int) or why < 0):
            raise CommandError('"why" must be an instance index (0, 1, ...) or "staging"')
    for key in ("platform", *asked):
        if key not in content:
            continue
        value = content[key]
        if not isinstance(value, str) or not value or len(value) > 200:
            raise CommandError(f'"{key}" must be a non-empty name')
        query[key] = value
    return Command("fleet_query", query=query, why=why)
