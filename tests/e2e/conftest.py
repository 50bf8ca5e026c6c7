"""Browser tests: a live Daphne server in a child process, driven by Playwright in Debian's Chromium.

The server is forked before Playwright starts its threads (tests take ``live_asgi_url`` before
``page``), and the sync Playwright API keeps an event loop in the main thread, hence
``DJANGO_ALLOW_ASYNC_UNSAFE`` (../shared/reference/ecosystem.md §3.3-3.4).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from channels.testing.live import make_application, set_database_connection
from daphne.testing import DaphneProcess
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.management import call_command
from django.core.signals import request_started
from django.db import connections

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
SERVER_START_TIMEOUT_S = 20


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright's own base_url fixture trips a pytest 9 deprecation; nothing of ours.
    config.addinivalue_line("filterwarnings", "ignore:Session-scoped fixtures defined as instance methods")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Playwright's own browser download fails here; Debian's Chromium works as is.
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The size the README screenshot is taken at, and wide enough for the side panels.
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


def serve_test_database() -> None:
    """Set up the server process: the test database, and no content types kept from one request
    to the next. Every test empties the database, which gives the content types new ids; a
    server that cached the old ones could not write the admin's log (a foreign key to them)."""
    set_database_connection()
    request_started.connect(clear_content_types, weak=False)


def clear_content_types(**kwargs: Any) -> None:
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def live_asgi_url(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The whole ASGI app (pages, static files, websockets) served on the test database."""
    server = DaphneProcess(
        "localhost",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=serve_test_database,
    )
    # Fork while the database is unblocked: the child keeps that state, and it serves requests
    # outside any test. It must open its own connection rather than share ours.
    with django_db_blocker.unblock():
        call_command("load_scenarios", verbosity=0)
        connections.close_all()
        server.start()
    if not server.ready.wait(timeout=SERVER_START_TIMEOUT_S):
        server.terminate()
        raise RuntimeError("the live Daphne server did not start")
    yield f"http://localhost:{server.port.value}"
    server.terminate()
    server.join(timeout=10)


@pytest.fixture(autouse=True)
def builtin_scenarios(live_asgi_url: str, transactional_db: None) -> None:
    """The built-in scenarios, for every test.

    The tests are transactional (the server is another process, so it must see committed
    rows), and a transactional test empties the database after it: load them again each time.
    Asking for ``transactional_db`` is also what makes pytest-django create the test database.
    """
    call_command("load_scenarios", verbosity=0)
