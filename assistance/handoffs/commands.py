"""Changing handoffs. Every state change is one conditional UPDATE, so that two advisors, or an
advisor and the expiry, can never both win (`take`, `close`, and `abandon` in expiry.py).

Clocks: waiting times use the real clock (the database stores UTC); opening hours use the
assistant's clock (Core.now), which ASSISTANT_NOW can override for demos and tests.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistance import transcripts
from assistance.db import Database, utcnow
from assistance.db.models import Handoff, HandoffMessage
from assistance.handoffs.model import (
    MAX_MESSAGE_LENGTH,
    MAX_TRANSCRIPT_ENTRIES,
    HandoffError,
    HandoffStatus,
    HandoffView,
    MessageView,
    handoff_view,
    message_view,
)
from assistance.handoffs.queries import get_handoff, open_handoff_for

WAITING = HandoffStatus.WAITING.value
ACTIVE = HandoffStatus.ACTIVE.value

# --- From the user's side (the action server) ------------------------------------------


def create_handoff(
    db: Database,
    *,
    conversation_id: str,
    motif: str | None,
    profil: str | None,
    context: dict[str, Any],
    channel: str | None,
    transcript: list[dict[str, Any]],
) -> tuple[HandoffView, bool]:
    """Queue the conversation for an advisor; (handoff, created). An open one is reused."""
    existing = open_handoff_for(db, conversation_id)
    if existing is not None:
        return existing, False
    with db.session() as session:
        waiting = session.scalar(select(func.count(Handoff.id)).where(Handoff.status == WAITING))
        row = Handoff(
            conversation_id=conversation_id, motif=motif, profil=profil, context=context,
            channel=channel, status=WAITING, queue_position=int(waiting or 0) + 1,
            transcript=transcript[-MAX_TRANSCRIPT_ENTRIES:],
        )
        session.add(row)
        session.flush()
        return handoff_view(row), True


def add_user_message(db: Database, handoff_id: int, text: str) -> MessageView | None:
    """Store what the user wrote for the advisor; None if there is no such handoff.

    A message written just as the handoff ended is kept too: it belongs to its transcript.
    Stored verbatim, whatever its length: the user's words are never cut.
    """
    with db.session() as session:
        if session.get(Handoff, handoff_id) is None:
            return None
        message = HandoffMessage(
            handoff_id=handoff_id, author=transcripts.USER, text=text, delivered=True
        )
        session.add(message)
        session.flush()
        return message_view(message)


def claim_undelivered(db: Database, handoff_id: int) -> list[MessageView]:
    """The advisor's messages not yet shown to the user, now marked as shown (in order)."""
    with db.session() as session:
        rows = session.scalars(
            select(HandoffMessage)
            .where(
                HandoffMessage.handoff_id == handoff_id,
                HandoffMessage.author == transcripts.ADVISOR,
                HandoffMessage.delivered.is_(False),
            )
            .order_by(HandoffMessage.id)
            .with_for_update()
        ).all()
        for row in rows:
            row.delivered = True
        return [message_view(row) for row in rows]


def record_rating(db: Database, conversation_id: str, rating: int) -> str:
    """Store the user's rating on their last closed handoff: ok, deja_note or aucun."""
    with db.session() as session:
        row = session.scalars(
            select(Handoff)
            .where(
                Handoff.conversation_id == conversation_id,
                Handoff.status == HandoffStatus.CLOSED.value,
            )
            .order_by(Handoff.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return "aucun"
        if row.rating is not None:
            return "deja_note"
        row.rating = rating
        return "ok"


# --- From the advisor's side (the desk) ----------------------------------------------------


def take(db: Database, handoff_id: int, advisor_login: str, advisor_name: str) -> HandoffView:
    """An advisor takes a waiting handoff; HandoffError('deja_pris' | 'introuvable' | ...)."""
    with db.session() as session:
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == WAITING)
            .values(
                status=ACTIVE, advisor_login=advisor_login, advisor_name=advisor_name,
                taken_at=utcnow(),
            )
        )
        won = result.rowcount == 1
    handoff = get_handoff(db, handoff_id)
    if handoff is None:
        raise HandoffError("introuvable")
    if not won:
        code = "deja_pris" if handoff.status == ACTIVE else "plus_en_attente"
        raise HandoffError(code, handoff)
    return handoff


def _owned(session: Session, handoff_id: int, advisor_login: str) -> Handoff:
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise HandoffError("introuvable")
    if row.status != ACTIVE:
        raise HandoffError("pas_en_cours", handoff_view(row))
    if row.advisor_login != advisor_login:
        raise HandoffError("autre_conseiller", handoff_view(row))
    return row


def add_advisor_message(
    db: Database, handoff_id: int, advisor_login: str, text: str
) -> tuple[HandoffView, MessageView]:
    """Store an advisor's message for the user; (the handoff, the message)."""
    text = text.strip()
    if not text:
        raise HandoffError("message_vide")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise HandoffError("message_trop_long")
    with db.session() as session:
        row = _owned(session, handoff_id, advisor_login)
        message = HandoffMessage(handoff_id=handoff_id, author=transcripts.ADVISOR, text=text)
        session.add(message)
        session.flush()
        return handoff_view(row), message_view(message)


def close(db: Database, handoff_id: int, advisor_login: str) -> HandoffView:
    with db.session() as session:
        _owned(session, handoff_id, advisor_login)
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == ACTIVE)
            .values(status=HandoffStatus.CLOSED.value, ended_at=utcnow())
        )
        if result.rowcount != 1:
            raise HandoffError("pas_en_cours")
    return get_handoff(db, handoff_id)
