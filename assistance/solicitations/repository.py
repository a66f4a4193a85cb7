"""Storing drafts: insert or update, resume, read back by reference."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistance.db import Database
from assistance.db.models import Sollicitation
from assistance.solicitations.draft import FIELDS, METADATA, DraftStatus

_COLUMNS = {"references": "references_dossier"}  # field name → column name when they differ


def _column(field: str) -> str:
    return _COLUMNS.get(field, field)


def _as_dict(row: Sollicitation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": row.reference,
        "status": row.status,
        "conversation_id": row.conversation_id,
    }
    for key in METADATA:
        data[key] = getattr(row, key)
    for field in FIELDS:
        data[field] = getattr(row, _column(field))
    for key in ("created_at", "updated_at"):
        moment: datetime | None = getattr(row, key)
        data[key] = moment.isoformat() if moment else None
    return data


def normalise_reference(reference: str) -> str:
    return str(reference or "").strip().upper()


def save_draft(
    db: Database,
    values: dict[str, Any],
    *,
    status: DraftStatus,
    conversation_id: str,
    year: int,
    reference: str | None = None,
) -> str:
    """Insert a draft, or update the one with `reference` written in the same conversation.

    Returns its reference (SOL-<year>-<number>, the number padded to 6 digits). Fields not in
    `values` are stored empty. Database errors propagate: the caller tells the user.
    """
    with db.session() as session:
        row = None
        if reference:
            row = _find(session, reference, conversation_id)
        if row is None:
            row = Sollicitation(conversation_id=conversation_id)
            session.add(row)
        row.status = DraftStatus(status).value
        for key in METADATA:
            value = values.get(key)
            if key in ("connecte", "libelle_portail"):
                value = bool(value)
            setattr(row, key, value)
        for field in FIELDS:
            setattr(row, _column(field), values.get(field))
        session.flush()
        if not row.reference:
            row.reference = f"SOL-{year}-{row.id:06d}"
        return row.reference


def _find(session: Session, reference: str, conversation_id: str) -> Sollicitation | None:
    return session.scalars(
        select(Sollicitation).where(
            Sollicitation.reference == normalise_reference(reference),
            Sollicitation.conversation_id == conversation_id,
        )
    ).first()


def set_status(db: Database, reference: str, status: DraftStatus, conversation_id: str) -> None:
    with db.session() as session:
        row = _find(session, reference, conversation_id)
        if row is not None:
            row.status = DraftStatus(status).value


def latest_draft(db: Database, conversation_id: str) -> dict[str, Any] | None:
    """The latest unfinished draft of a conversation, to resume it in a later session."""
    with db.session() as session:
        row = session.scalars(
            select(Sollicitation)
            .where(Sollicitation.conversation_id == conversation_id,
                   Sollicitation.status == DraftStatus.DRAFT.value)
            .order_by(Sollicitation.id.desc())
        ).first()
        return _as_dict(row) if row else None


def get_draft(db: Database, reference: str) -> dict[str, Any] | None:
    """The stored draft as a JSON-ready dict, or None when no draft has this reference."""
    with db.session() as session:
        row = session.scalars(
            select(Sollicitation).where(Sollicitation.reference == normalise_reference(reference))
        ).first()
        return _as_dict(row) if row else None


def belongs_to(data: dict[str, Any], conversation_id: str) -> bool:
    """May this user read the draft back in the chat? Only in the conversation that wrote it.

    References are sequential, hence guessable, and the website's metadata (login) is not proof
    of identity: a draft holds a name, an e-mail and a phone number, so nothing else qualifies.
    """
    return data.get("conversation_id") == conversation_id
