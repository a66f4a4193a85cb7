"""Builds the core's services from the settings: the composition root of every process.

    core = bootstrap(Settings.from_env())   # a process, or a test, with its own settings
    core = get_core()                       # the process's own, built from the environment

Rasa instantiates actions and components itself, so those adapters call `get_core()`; tests
install theirs with `use_core(...)` instead of clearing caches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from assistance import schedule
from assistance.db import Database
from assistance.notify import DeskEvents
from assistance.settings import Settings, get_settings
from assistance.solicitations.catalogue import Catalogue, load_catalogue
from assistance.tracker_events import TrackerEvents

if TYPE_CHECKING:
    from assistance.training.workbench import Workbench


@dataclass
class Core:
    settings: Settings
    db: Database
    events: DeskEvents  # tells the advisors' desks that a handoff changed
    # The Rasa server's tracker database, for retention and erasure (None: no SQL tracker store).
    tracker: TrackerEvents | None = None
    _workbench: Workbench | None = field(default=None, init=False, repr=False)

    def now(self) -> datetime:
        """The assistant's clock (ASSISTANT_NOW in demos and tests): opening hours, references."""
        return schedule.clock(self.settings.assistant_now)

    def schedule(self) -> schedule.LiveChatSchedule:
        return schedule.load_schedule(self.settings.live_chat_config)

    def chat_is_open(self) -> bool:
        return self.schedule().is_open(self.now())

    def catalogue(self) -> Catalogue:
        return load_catalogue(self.settings.solicitation_catalogue)

    def workbench(self) -> Workbench:
        """The trainers' workbench (assistance/training), built on first use."""
        if self._workbench is None:
            from assistance.training.workbench import Workbench

            self._workbench = Workbench(self)
        return self._workbench

    def close_workbench(self) -> None:
        """Release what the workbench opened (the tracker store's engine), if it was used."""
        if self._workbench is not None:
            self._workbench.close()
            self._workbench = None


def bootstrap(settings: Settings | None = None, *, migrate: bool = True) -> Core:
    settings = settings or get_settings()
    tracker = TrackerEvents(settings.tracker_database_url) if settings.tracker_database_url else None
    return Core(
        settings=settings, db=Database(settings.database_url, migrate=migrate),
        events=DeskEvents(settings.redis_url), tracker=tracker,
    )


_core: Core | None = None


def get_core() -> Core:
    global _core
    if _core is None:
        _core = bootstrap()
    return _core


def use_core(core: Core | None) -> None:
    """Make `core` the process's own (None: build it again from the environment when asked)."""
    global _core
    _core = core
