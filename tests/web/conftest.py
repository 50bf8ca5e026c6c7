from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from django.core.management import call_command

from cfviz.runtime import registry


@pytest.fixture
def builtin_scenarios(db: None) -> None:
    call_command("load_scenarios", verbosity=0)


@pytest.fixture(autouse=True)
async def fresh_registry() -> AsyncIterator[None]:
    """Each test gets an empty run registry; tasks left playing are stopped after it."""
    await registry.shutdown()
    yield
    await registry.shutdown()
