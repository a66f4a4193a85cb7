"""Real servers for the integration tier: one stack per storage backend.

Tests run on SQLite; those that store something whose backend matters (handoffs, drafts, votes,
refused writes) also run on PostgreSQL + Redis: they are marked `both_backends` (a module's
`pytestmark` or one test). A dialogue or an input refused at the door does not depend on the
backend: running it twice would only make the tier slower.
"""

import os

import pytest

from tests.stack import Stack, workdir

# A Tuesday at 10:00 in Paris: live chat open. A Saturday: closed.
OPEN_TIME = "2026-12-01T10:00:00+01:00"
CLOSED_TIME = "2026-12-05T11:00:00+01:00"

# TEST_PORT_BASE lets two test runs share a machine.
_BASE = int(os.environ.get("TEST_PORT_BASE", "15000"))
PORTS = {"sqlite": (_BASE + 5, _BASE + 55), "postgres": (_BASE + 505, _BASE + 555)}


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def stack(request):
    backend = request.param
    rasa_port, actions_port = PORTS[backend]
    running = Stack(
        name=backend,
        workdir=workdir(f"integration-{backend}"),  # its logs are scanned by `make test-logs`
        rasa_port=rasa_port,
        actions_port=actions_port,
        backend=backend,
        extra_env={"ASSISTANT_NOW": OPEN_TIME},
    ).start()
    yield running
    running.stop()


@pytest.fixture
def closed_hours(stack):
    """The action server's clock set to a Saturday, for the duration of one test."""
    stack.restart_actions(ASSISTANT_NOW=CLOSED_TIME)
    yield stack
    stack.restart_actions(ASSISTANT_NOW=OPEN_TIME)


def pytest_collection_modifyitems(config, items):
    kept, dropped = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("stack")
        if backend == "postgres" and item.get_closest_marker("both_backends") is None:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
