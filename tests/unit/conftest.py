"""Shared fixtures of the unit tier: settings and a core on a fresh SQLite database per test.

Code that Rasa instantiates itself (actions) finds the test's core through `use_core`; code that
takes its dependencies as arguments gets `core.db`, `core.schedule()`... directly.
"""

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from assistance.bootstrap import Core, bootstrap, use_core
from assistance.settings import PROJECT_ROOT, Settings
from assistance.training.tracker import EVENTS

OPEN_TIME = "2026-12-01T10:00:00+01:00"  # a Tuesday morning: live chat open
CLOSED_TIME = "2026-12-05T11:00:00+01:00"  # a Saturday
WAITING_DELAY_MINUTES = 5


@pytest.fixture
def live_chat_config(tmp_path) -> Path:
    """conf/live_chat.yml with a waiting delay of WAITING_DELAY_MINUTES."""
    raw = yaml.safe_load((PROJECT_ROOT / "conf" / "live_chat.yml").read_text(encoding="utf-8"))
    raw["delai_attente_conseiller_minutes"] = WAITING_DELAY_MINUTES
    path = tmp_path / "live_chat.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path, live_chat_config) -> Settings:
    return Settings.from_env({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "TRACKER_DB": str(tmp_path / "tracker.db"),  # endpoints.yml's SQLite tracker store
        "ASSISTANT_NOW": OPEN_TIME,
        "LIVE_CHAT_CONFIG": str(live_chat_config),
    })


@pytest.fixture
def core(settings) -> Core:
    """The core on this test's database, also installed as the process's (for actions)."""
    built = bootstrap(settings)
    use_core(built)
    yield built
    use_core(None)
    built.db.dispose()


def at(core: Core, moment: str) -> None:
    """Move the assistant's clock (opening hours) to `moment`."""
    core.settings = replace(core.settings, assistant_now=moment)


@pytest.fixture
def tracker_url(tmp_path) -> str:
    """An empty tracker store (Rasa's `events` table) in a SQLite file: tests/unit/tracker_events.py
    writes conversations into it."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url)
    EVENTS.metadata.create_all(engine)
    engine.dispose()
    return url
