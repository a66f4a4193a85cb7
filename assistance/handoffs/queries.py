"""Reading handoffs: one conversation's, the queue, the messages, the expected wait."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistance.db import Database, aware, utcnow
from assistance.db.models import Handoff, HandoffMessage
from assistance.handoffs.model import (
    OPEN_STATUSES,
    HandoffStatus,
    HandoffView,
    MessageView,
    QueueInfo,
    handoff_view,
    message_view,
)
from assistance.transcripts import ADVISOR

RECENT_HANDOFFS = 20  # how many recent takes the wait estimate looks at
RECENT_WINDOW = timedelta(days=7)


def get_handoff(db: Database, handoff_id: int, *, with_messages: bool = False) -> HandoffView | None:
    with db.session() as session:
        row = session.get(Handoff, handoff_id)
        if row is None:
            return None
        return handoff_view(row, _messages(session, handoff_id) if with_messages else ())


def open_handoff_for(db: Database, conversation_id: str) -> HandoffView | None:
    """The conversation's handoff still waiting or with an advisor, if any."""
    with db.session() as session:
        row = session.scalars(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
            .order_by(Handoff.id.desc())
            .limit(1)
        ).first()
        return handoff_view(row) if row else None


def list_handoffs(
    db: Database, statuses: Sequence[str] = OPEN_STATUSES, *, conversation_id: str | None = None,
    limit: int = 200,
) -> list[HandoffView]:
    """The latest `limit` handoffs in these statuses, oldest first (the queue order)."""
    query = select(Handoff).where(Handoff.status.in_([str(s) for s in statuses]))
    if conversation_id is not None:
        query = query.where(Handoff.conversation_id == conversation_id)
    with db.session() as session:
        rows = session.scalars(query.order_by(Handoff.id.desc()).limit(limit)).all()
        return [handoff_view(row) for row in reversed(rows)]


def _messages(session: Session, handoff_id: int, after_id: int = 0) -> list[HandoffMessage]:
    return list(
        session.scalars(
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after_id)
            .order_by(HandoffMessage.id)
        ).all()
    )


def messages(db: Database, handoff_id: int, after_id: int = 0) -> list[MessageView]:
    with db.session() as session:
        return [message_view(m) for m in _messages(session, handoff_id, after_id)]


def queue_info(db: Database, handoff_id: int) -> QueueInfo:
    with db.session() as session:
        position = session.scalar(
            select(func.count(Handoff.id)).where(
                Handoff.status == HandoffStatus.WAITING.value, Handoff.id <= handoff_id
            )
        )
    position = max(1, int(position or 0))
    return QueueInfo(position=position, estimated_wait=wait_estimator(db)(position))


def wait_estimator(
    db: Database, *, now: datetime | None = None
) -> Callable[[int], timedelta | None]:
    """A function position → expected wait (or None), from one read of the recent takes.

    Each recent take tells how long its user waited per place they had in the queue when they
    arrived; the expected wait is the median of those, times the position.
    """
    since = (now or utcnow()) - RECENT_WINDOW
    with db.session() as session:
        rows = session.execute(
            select(Handoff.created_at, Handoff.taken_at, Handoff.queue_position)
            .where(Handoff.taken_at.is_not(None), Handoff.created_at >= since)
            .order_by(Handoff.taken_at.desc())
            .limit(RECENT_HANDOFFS)
        ).all()
    per_place = [
        max(0.0, (aware(taken) - aware(created)).total_seconds()) / max(1, place or 1)
        for created, taken, place in rows
    ]
    median = statistics.median(per_place) if per_place else None

    def estimate(position: int) -> timedelta | None:
        if median is None:
            return None
        return timedelta(seconds=round(median * max(1, position)))

    return estimate


def undelivered(db: Database, conversation_id: str) -> list[tuple[MessageView, str | None]]:
    """The advisor messages of this conversation its user's client never acknowledged, with the
    advisor's name, oldest first: sent again to a socket.io client when it (re)connects."""
    with db.session() as session:
        rows = session.execute(
            select(HandoffMessage, Handoff.advisor_name, Handoff.advisor_login)
            .join(Handoff, Handoff.id == HandoffMessage.handoff_id)
            .where(
                Handoff.conversation_id == conversation_id,
                HandoffMessage.author == ADVISOR,
                HandoffMessage.delivered.is_(False),
            )
            .order_by(HandoffMessage.id)
        ).all()
        return [(message_view(message), name or login) for message, name, login in rows]
