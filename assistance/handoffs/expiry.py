"""Giving up a waiting handoff: the one owner of that transition.

A handoff nobody took within the waiting delay (conf/live_chat.yml), or still waiting when the
live chat closes, is abandoned; the user is then offered to write to the support. The action
server (when it next hears from the conversation) and the desk's sweeper both go through here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from assistance.db import Database, utcnow
from assistance.db.models import Handoff
from assistance.handoffs.model import EndReason, HandoffStatus, HandoffView
from assistance.handoffs.queries import get_handoff, list_handoffs
from assistance.schedule import LiveChatSchedule

WAITING = HandoffStatus.WAITING.value


def due_reason(
    handoff: HandoffView, schedule: LiveChatSchedule, assistant_now: datetime,
    now: datetime | None = None,
) -> EndReason | None:
    """Why a waiting handoff must be given up now, or None.

    `assistant_now` is the assistant's clock (opening hours), `now` the real one (waiting time).
    """
    if handoff.status != WAITING:
        return None
    if not schedule.is_open(assistant_now):
        return EndReason.CHAT_CLOSED
    if (now or utcnow()) - handoff.created_at >= schedule.waiting_delay:
        return EndReason.DELAY_EXCEEDED
    return None


def abandon(db: Database, handoff_id: int, reason: EndReason | str) -> bool:
    """Give up a waiting handoff; False when it was no longer waiting."""
    with db.session() as session:
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == WAITING)
            .values(
                status=HandoffStatus.ABANDONED.value, end_reason=EndReason(reason).value,
                ended_at=utcnow(),
            )
        )
        return result.rowcount == 1


def give_up_if_due(
    db: Database, handoff: HandoffView, schedule: LiveChatSchedule, assistant_now: datetime,
) -> HandoffView:
    """The handoff, abandoned first if it is due; as stored now."""
    reason = due_reason(handoff, schedule, assistant_now)
    if reason is None:
        return handoff
    abandon(db, handoff.id, reason)
    return get_handoff(db, handoff.id) or handoff


def expire_overdue(
    db: Database, schedule: LiveChatSchedule, assistant_now: datetime
) -> list[HandoffView]:
    """Abandon every waiting handoff that is due; returns those abandoned (to tell their users)."""
    now = utcnow()
    expired = []
    for handoff in list_handoffs(db, (WAITING,)):
        reason = due_reason(handoff, schedule, assistant_now, now)
        if reason and abandon(db, handoff.id, reason):
            expired.append(handoff)
    return expired
