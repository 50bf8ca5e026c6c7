"""The run websocket: authenticate, validate, subscribe and relay; the registry does the work."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from cfviz import selectors, services
from cfviz.commands import FLEET_COMMANDS, MAX_MESSAGE_BYTES, Command, CommandError, parse_command
from cfviz.fleet_runtime import FleetLiveRun
from cfviz.runtime import LiveRun, registry
from simulator.scenario import ScenarioError

CLOSE_UNKNOWN_RUN = 4404
CLOSE_FORBIDDEN = 4403


class RunConsumer(AsyncJsonWebsocketConsumer):
    live: LiveRun | FleetLiveRun | None = None
    # This viewer's own copy while it explores away from the shared playhead.
    private: LiveRun | None = None
    can_control = False

    async def connect(self) -> None:
        run_id = str(self.scope["url_route"]["kwargs"]["run_id"])
        self.live = await registry.get(run_id)
        await self.accept()
        if self.live is None:
            await self.close(code=CLOSE_UNKNOWN_RUN)
            return
        if not settings.RUNS_PUBLIC and not await self._is_staff():
            # The deployment keeps runs to staff: the page says so, and so does the socket.
            self.live = None
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(self.live.group, self.channel_name)
        registry.watch(self.live)
        self.can_control = await self._may_control(run_id)
        await self._send_snapshot(self.live)

    async def _send_snapshot(self, live: LiveRun | FleetLiveRun) -> None:
        await self.send_json(live.snapshot(self.can_control))
        if isinstance(live, FleetLiveRun):
            # The picture at the playhead right away, also while the run is paused.
            for frame in await live.call(live.encoded_frames):
                await self.send(bytes_data=frame)

    async def disconnect(self, code: int) -> None:
        if self.private is not None:
            await registry.stop(self.private)
        if self.live is not None:
            await self.channel_layer.group_discard(self.live.group, self.channel_name)
            registry.unwatch(self.live)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if self.live is None:
            return
        if bytes_data is not None:
            await self._error("binary messages are not accepted: send JSON text")
            return
        text = text_data or ""
        size = len(text.encode("utf-8"))
        if size > MAX_MESSAGE_BYTES:
            await self._error(f"message too large: {size} bytes (at most {MAX_MESSAGE_BYTES})")
            return
        try:
            content = json.loads(text)
        except json.JSONDecodeError as exc:
            await self._error(f"not JSON: {exc.msg} at position {exc.pos}")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        live = self.live
        if live is None:
            return
        try:
            command = parse_command(content)
        except CommandError as exc:
            await self._error(str(exc), content)
            return
        if isinstance(live, FleetLiveRun):
            await self._fleet_command(live, command, content)
            return
        if command.name == "fleet_query":
            await self._error("fleet_query is for fleet runs; this run is detailed", content)
            return
        if command.name == "detach":
            if self.private is None:
                async with live.sim_lock:  # the shared run may be advancing on its worker thread
                    self.private = live.private_copy(self.channel_name)
            await self.send_json(self.private.snapshot(True))
            return
        if command.name == "attach":
            if self.private is not None:
                await registry.stop(self.private)
                self.private = None
            await self.send_json(live.snapshot(self.can_control))
            return
        # A detached viewer drives its own copy; the shared run follows the control rules.
        target = self.private or live
        if command.changes_run and target is live and not self.can_control:
            await self._error(
                "only the person who started this run, or staff, can control it; you are watching "
                "(detach to explore on your own)",
                content,
            )
            return
        if command.name == "snapshot":
            await self.send_json(target.snapshot(self.can_control or target is self.private))
        elif command.name == "play":
            await registry.play(target)
        elif command.name == "pause":
            await registry.pause(target)
        elif command.name == "speed" and command.value is not None:
            await registry.set_speed(target, command.value)
        elif command.name == "restart":
            await registry.restart(target)
        elif command.name == "seek" and command.value is not None:
            await registry.seek(target, command.value)
        elif command.name == "step":
            await registry.step(target, command.unit, command.backwards)
        elif command.name == "pacing":
            await registry.set_pacing(target, command.mode, command.value)
        elif command.name == "branch" and command.value is not None:
            try:
                await registry.switch_branch(target, int(command.value))
            except ValueError as exc:
                await self._error(str(exc), content)
        elif command.name == "act" and command.action is not None:
            try:
                await registry.intervene(target, command.action)
            except ScenarioError as exc:
                await self._error("; ".join(exc.problems), content)
            except ValueError as exc:
                await self._error(str(exc), content)

    async def _fleet_command(self, live: FleetLiveRun, command: Command, content: Any) -> None:
        if command.name not in FLEET_COMMANDS:
            await self._error(
                f"{command.name!r} needs a detailed run; this is a fleet run (docs/fleet.md), which "
                f"answers: {', '.join(sorted(FLEET_COMMANDS))}",
                content,
            )
            return
        if command.name == "fleet_query":
            query = command.query or {}
            try:
                answer = await live.call(
                    live.answer, query.get("platform"), query.get("node"), query.get("app"), command.why
                )
            except ValueError as exc:
                await self._error(str(exc), content)
                return
            await self.send_json(answer)
            return
        if command.name == "snapshot":
            await self._send_snapshot(live)
            return
        if command.changes_run and not self.can_control:
            await self._error(
                "only the person who started this run, or staff, can control it; you are watching", content
            )
            return
        if command.name == "play":
            await registry.play(live)
        elif command.name == "pause":
            await registry.pause(live)
        elif command.name == "speed" and command.value is not None:
            await registry.set_speed(live, command.value)
        elif command.name == "restart":
            await registry.restart(live)
        elif command.name == "seek" and command.value is not None:
            await registry.seek(live, command.value)
        elif command.name == "step":
            await registry.step(live, command.unit, command.backwards)

    async def sim_fleet_frames(self, event: dict[str, Any]) -> None:
        for frame in event["frames"]:
            await self.send(bytes_data=frame)

    async def sim_frame(self, event: dict[str, Any]) -> None:
        # While detached, only the private copy's frames reach this viewer.
        if event.get("private") or self.private is None:
            await self.send_json(event["frame"])

    async def sim_resync(self, event: dict[str, Any]) -> None:
        if isinstance(self.live, FleetLiveRun):
            await self._send_snapshot(self.live)
            return
        if event.get("private") and self.private is not None:
            await self.send_json(self.private.snapshot(True))
        elif not event.get("private") and self.private is None and self.live is not None:
            await self.send_json(self.live.snapshot(self.can_control))

    async def _error(self, text: str, content: Any = None) -> None:
        command = content.get("command") if isinstance(content, dict) else None
        await self.send_json({"type": "error", "error": text, "command": command})

    @database_sync_to_async
    def _is_staff(self) -> bool:
        user = self.scope.get("user")
        return bool(user is not None and user.is_authenticated and user.is_staff)

    @database_sync_to_async
    def _may_control(self, run_id: str) -> bool:
        run = selectors.run_get(run_id)
        if run is None:
            return False
        session = self.scope.get("session")
        session_key = session.session_key if session is not None else None
        return services.user_may_control(run=run, user=self.scope.get("user"), session_key=session_key)
