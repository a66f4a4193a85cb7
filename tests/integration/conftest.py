"""Real servers for the integration tier: one stack per storage backend."""

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
