"""Changing handoffs. Every state change is one conditional UPDATE, so that two advisors, or an
advisor and the expiry, can never both win (`take`, `close`, and `abandon` in expiry.py).

Clocks: waiting times use the real clock (the database stores UTC); opening hours use the
assistant's clock (Core.now), which ASSISTANT_NOW can override for demos and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
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
    client_key: str | None = None,
    limit: HandoffLimit | None = None,
) -> tuple[HandoffView, bool]:
    """Queue the conversation for an advisor; (handoff, created). An open one is reused.

    With `limit`, a conversation or a client address (`client_key`) that opened too many
    handoffs within the window gets HandoffError('trop_de_demandes'). Two requests of one
    conversation at the same instant make one handoff: the database keeps one open handoff per
    conversation.
    """
    existing = open_handoff_for(db, conversation_id)
    if existing is not None:
        return existing, False
    if limit is not None and limit.reached(db, conversation_id, client_key):
        raise HandoffError("trop_de_demandes")
    try:
        with db.session() as session:
            waiting = session.scalar(select(func.count(Handoff.id)).where(Handoff.status == WAITING))
            row = Handoff(
                conversation_id=conversation_id, motif=motif, profil=profil, context=context,
                channel=channel, status=WAITING, queue_position=int(waiting or 0) + 1,
                transcript=transcript[-MAX_TRANSCRIPT_ENTRIES:], client_key=client_key,
            )
            session.add(row)
            session.flush()
            return handoff_view(row), True
    except IntegrityError:
        existing = open_handoff_for(db, conversation_id)  # the other request won
        if existing is None:
            raise
        return existing, False


@dataclass(frozen=True)
class HandoffLimit:
    """How many handoffs one conversation, and one client address, may open per window."""

    per_conversation: int
    per_client: int  # a REST system serves many users from one address: set it high, or 0 = none
    window: timedelta

    def reached(self, db: Database, conversation_id: str, client_key: str | None) -> bool:
        checks = [(self.per_conversation, Handoff.conversation_id == conversation_id)]
        if client_key:
            checks.append((self.per_client, Handoff.client_key == client_key))
        since = utcnow() - self.window
        with db.session() as session:
            for most, condition in checks:
                query = select(func.count(Handoff.id)).where(condition, Handoff.created_at >= since)
                if most and int(session.scalar(query) or 0) >= most:
                    return True
        return False


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


def take_unsent(db: Database, handoff_id: int, *, again: bool = False) -> list[MessageView]:
    """The advisor's messages this turn's answer carries, now marked sent (in order).

    A message is delivered only when the user's side confirms it (mark_delivered): a socket.io
    client acknowledges each one, and gets again when it reconnects what it did not (undelivered);
    the REST channel confirms those of an answer once its turn is saved, just before the HTTP
    response leaves. `again=True` (a REST turn) also takes the messages an earlier answer carried
    without that confirmation: its replica died in the middle of the turn.
    """
    pending = HandoffMessage.sent_at.is_(None)
    if again:
        pending = or_(pending, HandoffMessage.delivered.is_(False))
    with db.session() as session:
        rows = session.scalars(
            select(HandoffMessage)
            .where(
                HandoffMessage.handoff_id == handoff_id,
                HandoffMessage.author == transcripts.ADVISOR,
                pending,
            )
            .order_by(HandoffMessage.id)
            .with_for_update()
        ).all()
        now = utcnow()
        for row in rows:
            row.sent_at = row.sent_at or now
        return [message_view(row) for row in rows]


def mark_delivered(db: Database, message_ids: list[int]) -> int:
    """The user's client acknowledged these advisor messages; how many were new."""
    if not message_ids:
        return 0
    with db.session() as session:
        result = session.execute(
            update(HandoffMessage)
            .where(HandoffMessage.id.in_(message_ids), HandoffMessage.delivered.is_(False))
            .values(delivered=True, sent_at=func.coalesce(HandoffMessage.sent_at, utcnow()))
        )
        return result.rowcount


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
    """An advisor takes a waiting handoff; HandoffError('deja_pris' | 'introuvable' | ...).

    Taking again a handoff one already took is no error (a retry after a timeout).
    """
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
        if handoff.status == ACTIVE and handoff.advisor_login == advisor_login:
            return handoff
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
    db: Database, handoff_id: int, advisor_login: str, text: str, key: str | None = None
) -> tuple[HandoffView, MessageView]:
    """Store an advisor's message for the user; (the handoff, the message).

    With `key` (the desk's idempotency key), sending the same message again returns the one
    stored the first time instead of a second copy.
    """
    text = text.strip()
    if not text:
        raise HandoffError("message_vide")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise HandoffError("message_trop_long")
    try:
        with db.session() as session:
            row = _owned(session, handoff_id, advisor_login)
            if key:
                sent = _keyed(session, handoff_id, key)
                if sent is not None:
                    return handoff_view(row), message_view(sent)
            message = HandoffMessage(
                handoff_id=handoff_id, author=transcripts.ADVISOR, text=text, idempotency_key=key
            )
            session.add(message)
            session.flush()
            return handoff_view(row), message_view(message)
    except IntegrityError:  # the same key at the same instant: the other request stored it
        with db.session() as session:
            return handoff_view(session.get(Handoff, handoff_id)), message_view(
                _keyed(session, handoff_id, key)
            )


def _keyed(session: Session, handoff_id: int, key: str) -> HandoffMessage | None:
    return session.scalars(
        select(HandoffMessage).where(
            HandoffMessage.handoff_id == handoff_id, HandoffMessage.idempotency_key == key
        )
    ).first()


def close(db: Database, handoff_id: int, advisor_login: str) -> HandoffView:
    """The advisor ends the live chat; closing again what one closed is no error (a retry)."""
    with db.session() as session:
        row = session.get(Handoff, handoff_id)
        if row is not None and row.status == HandoffStatus.CLOSED and row.advisor_login == advisor_login:
            return handoff_view(row)
        _owned(session, handoff_id, advisor_login)
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == ACTIVE)
            .values(status=HandoffStatus.CLOSED.value, ended_at=utcnow())
        )
        if result.rowcount != 1:
            raise HandoffError("pas_en_cours")
    return get_handoff(db, handoff_id)
