"""Helpers for websocket tests: runs, sessions and a connected communicator."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from cfviz.asgi import application
from cfviz.models import Run
from cfviz.selectors import scenario_by_slug
from cfviz.services import run_create

ORIGIN = (b"origin", b"http://localhost")


@database_sync_to_async
def new_session(user_id: int | None = None) -> str:
    session = SessionStore()
    if user_id is not None:
        user = get_user_model().objects.get(pk=user_id)
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key or ""


@database_sync_to_async
def new_run(session_key: str, slug: str = "cf-push", seed: int | None = None, platform: str = "diego") -> Run:
    scenario = scenario_by_slug(slug)
    assert scenario is not None, f"scenario {slug} is not loaded"
    return run_create(scenario=scenario, user=None, session_key=session_key, seed=seed, platform=platform)


@database_sync_to_async
def new_staff_user() -> int:
    user = get_user_model().objects.create_user("teacher", password="pw-for-tests", is_staff=True)
    return user.pk


@database_sync_to_async
def reload_run(run_id: Any) -> Run:
    return Run.objects.get(id=run_id)


async def connect(
    run_id: Any, session_key: str | None = None, origin: tuple[bytes, bytes] = ORIGIN
) -> tuple[WebsocketCommunicator, bool]:
    headers = [origin]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/runs/{run_id}/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def receive_until(
    communicator: WebsocketCommunicator, predicate: Any, timeout: float = 10.0, limit: int = 5000
) -> list[dict[str, Any]]:
    """Every message up to and including the first that satisfies ``predicate``."""
    seen = []
    for _ in range(limit):
        message = await communicator.receive_json_from(timeout=timeout)
        seen.append(message)
        if predicate(message):
            return seen
    raise AssertionError(f"no matching message in {limit}")


def frame_records(frames: list[dict[str, Any]], platform: str = "diego") -> list[dict[str, Any]]:
    """Every record the frames carried for one platform, in order."""
    return [r for f in frames if f["type"] == "frame" for r in f["records"][platform]]
