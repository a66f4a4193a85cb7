"""Real servers for the integration tier: one stack per storage backend."""

import pytest

from tests.stack import Stack

# A Tuesday at 10:00 in Paris: live chat open. A Saturday: closed.
OPEN_TIME = "2026-12-01T10:00:00+01:00"
CLOSED_TIME = "2026-12-05T11:00:00+01:00"

PORTS = {"sqlite": (15005, 15055), "postgres": (16005, 16055)}


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def stack(request, tmp_path_factory):
    backend = request.param
    rasa_port, actions_port = PORTS[backend]
    running = Stack(
        name=backend,
        workdir=tmp_path_factory.mktemp(f"stack-{backend}"),
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
