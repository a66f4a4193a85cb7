"""The trainers' workbench as one object: the tracker store, the trainers' files, the retrainer.

    bench = core.workbench()
    items = bench.inbox(Filters(since=...))
    bench.decide(DecisionRequest(text=..., action="corriger", intent="faq/avoir"), "camille")

The desk's handlers (desk/training.py) and scripts/report.py call it; everything is built on
first use from the core's settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistance.training import decisions, inbox, metrics, models, reviews
from assistance.training.nlu_files import TrainingFiles
from assistance.training.retrain import Retrainer
from assistance.training.tracker import TrackerReader

if TYPE_CHECKING:
    from assistance.bootstrap import Core


class Workbench:
    def __init__(self, core: Core) -> None:
        self.core = core
        settings = core.settings
        self.tracker = TrackerReader(settings.tracker_database_url)
        self.files = TrainingFiles(settings.training_project)
        self.retrainer = Retrainer(core.db, settings)

    @property
    def db(self):
        return self.core.db

    def inbox(self, filters: inbox.Filters) -> list[inbox.InboxItem]:
        settings = self.core.settings
        found = inbox.occurrences(self.tracker, self.db, filters, settings.low_confidence)
        return inbox.build_inbox(
            found, filters, decided=decisions.decided_texts(self.db), similarity=settings.similarity
        )

    def decide(self, request: decisions.DecisionRequest, trainer: str) -> dict[str, Any]:
        return decisions.decide(self.db, self.files, request, trainer)

    def negative_answers(self, **filters: Any) -> list[dict[str, Any]]:
        return reviews.negative_answers(self.db, self.tracker, **filters)

    def dashboard(self, period: metrics.Period) -> dict[str, Any]:
        return metrics.dashboard(self.db, self.tracker, self.core.schedule(), period)

    def active_model(self) -> Path:
        return models.active_model(self.db, self.core.settings.rasa_model)

    def close(self) -> None:
        self.tracker.dispose()
