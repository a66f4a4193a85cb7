"""How long personal data is kept, and forgetting one conversation everywhere.

    purge(core)                     deletes what is older than the retention of its kind
    erase(core, conversation_id)    deletes everything of one conversation

Both return how many rows each kind lost (`Removed`), never what they held, and take
`dry_run=True` to count without deleting. The kinds and their settings (assistance/settings.py,
`Retention`):

    events             Rasa's tracker events (the whole conversation with the assistant and the
                       website's metadata), by their timestamp
    handoffs           live-chat handoffs with their transcript, from their end (their
                       creation when they never ended); `handoff_messages` go with them
    ready_drafts       solicitation drafts the user confirmed, from their last change
    unfinished_drafts  drafts left unfinished or discarded, from their last change
    votes              👍/👎 with the question they rated

Tracker events live in the Rasa server's database (assistance/tracker_events.py); the Rasa
server's cache notices deleted rows on its next read (tracker_stores/cached_sql.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from assistance.db import utcnow
from assistance.db.models import Handoff, HandoffMessage, Sollicitation, Vote
from assistance.solicitations.draft import DraftStatus

if TYPE_CHECKING:
    from assistance.bootstrap import Core
    from assistance.tracker_events import TrackerEvents

UNFINISHED = (DraftStatus.DRAFT.value, DraftStatus.DISCARDED.value)


class NoTrackerDatabase(RuntimeError):
    """The endpoints file names no SQL tracker store: events cannot be reached."""


@dataclass
class Removed:
    """Rows deleted (or, in a dry run, that would be) per kind."""

    events: int = 0
    handoffs: int = 0
    handoff_messages: int = 0
    ready_drafts: int = 0
    unfinished_drafts: int = 0
    votes: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def total(self) -> int:
        return sum(self.as_dict().values())


def _remove(session: Session, model, condition, dry_run: bool) -> int:
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(model).where(condition)))
    statement = delete(model).where(condition).execution_options(synchronize_session=False)
    return session.execute(statement).rowcount


def _handoffs(session: Session, condition, dry_run: bool, removed: Removed) -> None:
    ids = select(Handoff.id).where(condition).scalar_subquery()
    removed.handoff_messages = _remove(session, HandoffMessage, HandoffMessage.handoff_id.in_(ids), dry_run)
    removed.handoffs = _remove(session, Handoff, condition, dry_run)


def _tracker(core: Core) -> TrackerEvents:
    if core.tracker is None:
        raise NoTrackerDatabase(
            "no SQL tracker store in the endpoints file (ENDPOINTS_FILE): tracker events unreachable"
        )
    return core.tracker


def purge(core: Core, *, now: datetime | None = None, dry_run: bool = False) -> Removed:
    """Delete every row older than the retention of its kind (core.settings.retention)."""
    retention = core.settings.retention
    now = now or utcnow()

    def cutoff(days: int) -> datetime:
        return now - timedelta(days=days)

    removed = Removed()
    removed.events = _tracker(core).remove(before=cutoff(retention.events_days).timestamp(), dry_run=dry_run)
    with core.db.session() as session:
        ended = func.coalesce(Handoff.ended_at, Handoff.created_at)
        _handoffs(session, ended < cutoff(retention.handoffs_days), dry_run, removed)
        removed.ready_drafts = _remove(
            session, Sollicitation,
            (Sollicitation.status == DraftStatus.READY.value)
            & (Sollicitation.updated_at < cutoff(retention.ready_drafts_days)),
            dry_run,
        )
        removed.unfinished_drafts = _remove(
            session, Sollicitation,
            or_(*(Sollicitation.status == status for status in UNFINISHED))
            & (Sollicitation.updated_at < cutoff(retention.unfinished_drafts_days)),
            dry_run,
        )
        removed.votes = _remove(session, Vote, Vote.created_at < cutoff(retention.votes_days), dry_run)
    return removed


def erase(core: Core, conversation_id: str, *, dry_run: bool = False) -> Removed:
    """Delete everything stored about one conversation: its tracker events, handoffs with their
    messages, solicitation drafts and votes. A conversation that never existed removes nothing."""
    if not conversation_id:
        raise ValueError("a conversation id is required")
    tracker = _tracker(core)  # before anything is deleted
    removed = Removed()
    with core.db.session() as session:
        _handoffs(session, Handoff.conversation_id == conversation_id, dry_run, removed)
        mine = Sollicitation.conversation_id == conversation_id
        removed.ready_drafts = _remove(
            session, Sollicitation, mine & (Sollicitation.status == DraftStatus.READY.value), dry_run
        )
        removed.unfinished_drafts = _remove(
            session, Sollicitation, mine & (Sollicitation.status != DraftStatus.READY.value), dry_run
        )
        removed.votes = _remove(session, Vote, Vote.conversation_id == conversation_id, dry_run)
    # Events last: while they exist the conversation can still be found and erased again.
    removed.events = tracker.remove(conversation_id=conversation_id, dry_run=dry_run)
    return removed
