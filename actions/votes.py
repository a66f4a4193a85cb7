"""Storing 👍/👎 votes: one per answer. Plain helper, no Rasa."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from actions.models import Vote
from actions.persistence import session_scope


def record_vote(
    *,
    conversation_id: str,
    answer_id: str,
    value: int,
    topic: str | None,
    user_message: str | None,
    profil: str | None,
    connecte: bool | None,
) -> bool:
    """Store a vote; False when this answer already has one (the first vote stands).

    Database errors other than the duplicate propagate: the caller tells the user.
    """
    try:
        with session_scope() as session:
            session.add(
                Vote(
                    conversation_id=conversation_id,
                    answer_id=answer_id,
                    value=value,
                    topic=topic,
                    user_message=user_message,
                    profil=profil,
                    connecte=connecte,
                )
            )
    except IntegrityError:
        return False
    return True


def votes_for(conversation_id: str) -> list[Vote]:
    with session_scope() as session:
        rows = session.scalars(
            select(Vote).where(Vote.conversation_id == conversation_id).order_by(Vote.id)
        ).all()
        session.expunge_all()
        return list(rows)
