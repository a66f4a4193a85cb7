"""👍/👎 on FAQ answers: one vote per answer, the first one stands."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from assistance.db import Database
from assistance.db.models import Vote


def record_vote(
    db: Database,
    *,
    conversation_id: str,
    answer_id: str,
    value: int,
    topic: str | None,
    user_message: str | None,
    profil: str | None,
    connecte: bool | None,
) -> bool:
    """Store a vote; False when this answer already has one.

    Database errors other than the duplicate propagate: the caller tells the user.
    """
    try:
        with db.session() as session:
            session.add(
                Vote(
                    conversation_id=conversation_id, answer_id=answer_id, value=value, topic=topic,
                    user_message=user_message, profil=profil, connecte=connecte,
                )
            )
    except IntegrityError:
        return False
    return True
