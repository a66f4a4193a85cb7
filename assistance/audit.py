"""The desk's audit log: logins (refused ones too) and advisors' actions, in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from assistance.db import Database, aware
from assistance.db.models import AuditEvent

# Actions (French domain values, read by operators).
LOGIN = "connexion"
LOGIN_REFUSED = "connexion_refusee"
LOGIN_THROTTLED = "connexion_limitee"
LOGOUT = "deconnexion"
TAKE = "prise_en_charge"
MESSAGE = "message"
CLOSE = "cloture"
ERASE = "effacement"  # a conversation erased on a user's request (assistance/retention.py)


@dataclass(frozen=True)
class Entry:
    created_at: datetime
    actor: str | None
    action: str
    handoff_id: int | None


def record(db: Database, action: str, *, actor: str | None = None, handoff_id: int | None = None,
           client_key: str | None = None) -> None:
    with db.session() as session:
        session.add(AuditEvent(action=action, actor=actor, handoff_id=handoff_id, client_key=client_key))


def recent(db: Database, limit: int = 100) -> list[Entry]:
    with db.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
        return [Entry(aware(r.created_at), r.actor, r.action, r.handoff_id) for r in rows]
