"""Handoffs to human advisors: queue, messages both ways, take, close, expiry. No Rasa here.

Used by the live-chat actions (actions/conseiller.py) and by the advisor desk (desk/). The
database is the only source of truth: Rasa slots only remember what the user was already told.
Every state change is one conditional UPDATE, so that two advisors, or an advisor and the expiry
timer, can never both win (`take`, `close`, `abandon`).

Clocks: waiting times use the real clock (the database stores UTC); opening hours use
actions.horaires.now(), which ASSISTANT_NOW can override for demos and tests.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update

from actions import horaires
from actions.models import Handoff, HandoffMessage
from actions.models.handoff import OPEN_STATUSES
from actions.persistence import session_scope, utcnow
from actions.settings import get_settings

DEFAULT_WAITING_DELAY_MINUTES = 10.0
WAITING_DELAY_KEY = "delai_attente_conseiller_minutes"  # in conf/live_chat.yml
RECENT_HANDOFFS = 20  # how many recent takes the wait estimate looks at
RECENT_WINDOW = timedelta(days=7)
MAX_MESSAGE_LENGTH = 2000  # an advisor's message, in characters
MAX_TRANSCRIPT_ENTRIES = 60

AUTHOR_USER = "utilisateur"
AUTHOR_ADVISOR = "conseiller"
AUTHOR_ASSISTANT = "assistant"
# Labels of the plain-text transcript (pasted into a solicitation, read by the support).
TRANSCRIPT_LABELS = {AUTHOR_USER: "Usager", AUTHOR_ASSISTANT: "Claud.IA", AUTHOR_ADVISOR: "Conseiller"}


class HandoffError(Exception):
    """A request on a handoff that its current state does not allow; `code` says why."""

    def __init__(self, code: str, handoff: HandoffView | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.handoff = handoff


@dataclass(frozen=True)
class MessageView:
    id: int
    handoff_id: int
    author: str
    text: str
    created_at: datetime
    delivered: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "author": self.author,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
            "delivered": self.delivered,
        }


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    motif: str | None
    profil: str | None
    context: dict[str, Any]
    channel: str | None
    status: str
    queue_position: int | None
    advisor_login: str | None
    advisor_name: str | None
    transcript: list[dict[str, Any]]
    end_reason: str | None
    rating: int | None
    created_at: datetime
    taken_at: datetime | None
    ended_at: datetime | None
    messages: list[MessageView] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def waiting_seconds(self, now: datetime | None = None) -> int:
        """How long the user waited (or has been waiting) for an advisor."""
        end = self.taken_at or self.ended_at or (now or utcnow())
        return max(0, int((end - self.created_at).total_seconds()))

    def as_dict(self, now: datetime | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "motif": self.motif,
            "profil": self.profil,
            "context": self.context,
            "channel": self.channel,
            "status": self.status,
            "queue_position": self.queue_position,
            "advisor": (
                {"login": self.advisor_login, "name": self.advisor_name} if self.advisor_login else None
            ),
            "transcript": self.transcript,
            "end_reason": self.end_reason,
            "rating": self.rating,
            "created_at": self.created_at.isoformat(),
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "waiting_seconds": self.waiting_seconds(now),
        }


@dataclass(frozen=True)
class QueueInfo:
    position: int  # 1 = next to be taken
    estimated_wait: timedelta | None  # None without recent history

    @property
    def estimated_minutes(self) -> int | None:
        if self.estimated_wait is None:
            return None
        return max(1, -(-int(self.estimated_wait.total_seconds()) // 60))  # rounded up


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _message_view(row: HandoffMessage) -> MessageView:
    return MessageView(
        id=row.id, handoff_id=row.handoff_id, author=row.author, text=row.text,
        created_at=_aware(row.created_at), delivered=bool(row.delivered),
    )


def _view(row: Handoff, messages: Iterable[HandoffMessage] = ()) -> HandoffView:
    return HandoffView(
        id=row.id, conversation_id=row.conversation_id, motif=row.motif, profil=row.profil,
        context=dict(row.context or {}), channel=row.channel, status=row.status,
        queue_position=row.queue_position, advisor_login=row.advisor_login,
        advisor_name=row.advisor_name, transcript=list(row.transcript or []),
        end_reason=row.end_reason, rating=row.rating, created_at=_aware(row.created_at),
        taken_at=_aware(row.taken_at), ended_at=_aware(row.ended_at),
        messages=[_message_view(m) for m in messages],
    )


# --- Settings and schedule -------------------------------------------------------------


def waiting_delay(path: Path | None = None) -> timedelta:
    """How long a handoff may wait for an advisor (conf/live_chat.yml, read at each use)."""
    raw = yaml.safe_load(Path(path or get_settings().live_chat_config).read_text(encoding="utf-8"))
    minutes = (raw or {}).get(WAITING_DELAY_KEY, DEFAULT_WAITING_DELAY_MINUTES)
    return timedelta(minutes=float(minutes))


def chat_is_open() -> bool:
    return horaires.load_schedule().is_open(horaires.now())


def seconds_until_closing() -> float | None:
    """Seconds before the live chat closes, on the assistant's clock; None when closed."""
    schedule = horaires.load_schedule()
    moment = horaires.now()
    if not schedule.is_open(moment):
        return None
    local = moment.astimezone(schedule.timezone)
    closing = datetime.combine(local.date(), schedule.closing, tzinfo=schedule.timezone)
    return (closing - local).total_seconds()


def due_reason(
    handoff: HandoffView, *, now: datetime | None = None, delay: timedelta | None = None,
    open_now: bool | None = None,
) -> str | None:
    """Why a waiting handoff must be given up now (chat_ferme, delai_depasse), or None."""
    if handoff.status != "en_attente":
        return None
    if not (chat_is_open() if open_now is None else open_now):
        return "chat_ferme"
    delay = waiting_delay() if delay is None else delay
    if (now or utcnow()) - handoff.created_at >= delay:
        return "delai_depasse"
    return None


# --- Reading ---------------------------------------------------------------------------


def get_handoff(handoff_id: int, *, with_messages: bool = False) -> HandoffView | None:
    with session_scope() as session:
        row = session.get(Handoff, handoff_id)
        if row is None:
            return None
        messages = _messages(session, handoff_id) if with_messages else ()
        return _view(row, messages)


def open_handoff_for(conversation_id: str) -> HandoffView | None:
    """The conversation's handoff still waiting or with an advisor, if any."""
    with session_scope() as session:
        row = session.scalars(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
            .order_by(Handoff.id.desc())
            .limit(1)
        ).first()
        return _view(row) if row else None


def list_handoffs(
    statuses: Sequence[str] = OPEN_STATUSES, *, conversation_id: str | None = None, limit: int = 200
) -> list[HandoffView]:
    """The latest `limit` handoffs in these statuses, oldest first (the queue order)."""
    query = select(Handoff).where(Handoff.status.in_(list(statuses)))
    if conversation_id is not None:
        query = query.where(Handoff.conversation_id == conversation_id)
    with session_scope() as session:
        rows = session.scalars(query.order_by(Handoff.id.desc()).limit(limit)).all()
        return [_view(row) for row in reversed(rows)]


def _messages(session, handoff_id: int, after_id: int = 0) -> list[HandoffMessage]:
    return list(
        session.scalars(
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after_id)
            .order_by(HandoffMessage.id)
        ).all()
    )


def messages(handoff_id: int, after_id: int = 0) -> list[MessageView]:
    with session_scope() as session:
        return [_message_view(m) for m in _messages(session, handoff_id, after_id)]


def queue_info(handoff_id: int) -> QueueInfo:
    with session_scope() as session:
        position = session.scalar(
            select(func.count(Handoff.id)).where(
                Handoff.status == "en_attente", Handoff.id <= handoff_id
            )
        )
    position = max(1, int(position or 0))
    return QueueInfo(position=position, estimated_wait=estimate_wait(position))


def estimate_wait(position: int, *, now: datetime | None = None) -> timedelta | None:
    """Expected wait for the `position`-th in the queue, from the recent takes.

    Each recent take tells how long its user waited per place they had in the queue when they
    arrived; the median of those, times `position`. None when nothing was taken recently.
    """
    since = (now or utcnow()) - RECENT_WINDOW
    with session_scope() as session:
        rows = session.execute(
            select(Handoff.created_at, Handoff.taken_at, Handoff.queue_position)
            .where(Handoff.taken_at.is_not(None), Handoff.created_at >= since)
            .order_by(Handoff.taken_at.desc())
            .limit(RECENT_HANDOFFS)
        ).all()
    per_place = [
        max(0.0, (_aware(taken) - _aware(created)).total_seconds()) / max(1, place or 1)
        for created, taken, place in rows
    ]
    if not per_place:
        return None
    return timedelta(seconds=round(statistics.median(per_place) * max(1, position)))


# --- Changes from the user's side (the action server) ----------------------------------


def create_handoff(
    *,
    conversation_id: str,
    motif: str | None,
    profil: str | None,
    context: dict[str, Any],
    channel: str | None,
    transcript: list[dict[str, Any]],
) -> tuple[HandoffView, bool]:
    """Queue the conversation for an advisor; (handoff, created). An open one is reused."""
    existing = open_handoff_for(conversation_id)
    if existing is not None:
        return existing, False
    with session_scope() as session:
        waiting = session.scalar(select(func.count(Handoff.id)).where(Handoff.status == "en_attente"))
        row = Handoff(
            conversation_id=conversation_id, motif=motif, profil=profil, context=context,
            channel=channel, status="en_attente", queue_position=int(waiting or 0) + 1,
            transcript=transcript[-MAX_TRANSCRIPT_ENTRIES:],
        )
        session.add(row)
        session.flush()
        return _view(row), True


def add_user_message(handoff_id: int, text: str) -> MessageView | None:
    """Store what the user wrote for the advisor; None if there is no such handoff.

    A message written just as the handoff ended is kept too: it belongs to its transcript.
    """
    with session_scope() as session:
        row = session.get(Handoff, handoff_id)
        if row is None:
            return None
        # Stored verbatim, whatever its length: the user's words are never cut.
        message = HandoffMessage(handoff_id=handoff_id, author=AUTHOR_USER, text=text, delivered=True)
        session.add(message)
        session.flush()
        return _message_view(message)


def claim_undelivered(handoff_id: int) -> list[MessageView]:
    """The advisor's messages not yet shown to the user, now marked as shown (in order)."""
    with session_scope() as session:
        rows = session.scalars(
            select(HandoffMessage)
            .where(
                HandoffMessage.handoff_id == handoff_id,
                HandoffMessage.author == AUTHOR_ADVISOR,
                HandoffMessage.delivered.is_(False),
            )
            .order_by(HandoffMessage.id)
            .with_for_update()
        ).all()
        for row in rows:
            row.delivered = True
        return [_message_view(row) for row in rows]


def abandon(handoff_id: int, reason: str) -> bool:
    """Give up a waiting handoff (nobody took it in time, or the chat closed)."""
    with session_scope() as session:
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "en_attente")
            .values(status="abandonnee", end_reason=reason, ended_at=utcnow())
        )
        return result.rowcount == 1


def expire_overdue() -> list[HandoffView]:
    """Abandon every waiting handoff that is due (see due_reason); returns those abandoned."""
    delay = waiting_delay()
    open_now = chat_is_open()
    now = utcnow()
    expired = []
    for handoff in list_handoffs(("en_attente",)):
        reason = due_reason(handoff, now=now, delay=delay, open_now=open_now)
        if reason and abandon(handoff.id, reason):
            expired.append(handoff)
    return expired


def record_rating(conversation_id: str, rating: int) -> str:
    """Store the user's rating on their last closed handoff: ok, deja_note or aucun."""
    with session_scope() as session:
        row = session.scalars(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status == "cloturee")
            .order_by(Handoff.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return "aucun"
        if row.rating is not None:
            return "deja_note"
        row.rating = rating
        return "ok"


# --- Changes from the advisor's side (the desk) ----------------------------------------


def take(handoff_id: int, advisor_login: str, advisor_name: str) -> HandoffView:
    """An advisor takes a waiting handoff; HandoffError('deja_pris' | 'introuvable' | ...)."""
    with session_scope() as session:
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "en_attente")
            .values(
                status="en_cours", advisor_login=advisor_login, advisor_name=advisor_name,
                taken_at=utcnow(),
            )
        )
        won = result.rowcount == 1
    handoff = get_handoff(handoff_id)
    if handoff is None:
        raise HandoffError("introuvable")
    if not won:
        code = "deja_pris" if handoff.status == "en_cours" else "plus_en_attente"
        raise HandoffError(code, handoff)
    return handoff


def _check_owner(session, handoff_id: int, advisor_login: str) -> Handoff:
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise HandoffError("introuvable")
    if row.status != "en_cours":
        raise HandoffError("pas_en_cours", _view(row))
    if row.advisor_login != advisor_login:
        raise HandoffError("autre_conseiller", _view(row))
    return row


def add_advisor_message(handoff_id: int, advisor_login: str, text: str) -> MessageView:
    text = text.strip()
    if not text:
        raise HandoffError("message_vide")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise HandoffError("message_trop_long")
    with session_scope() as session:
        _check_owner(session, handoff_id, advisor_login)
        message = HandoffMessage(handoff_id=handoff_id, author=AUTHOR_ADVISOR, text=text)
        session.add(message)
        session.flush()
        return _message_view(message)


def close(handoff_id: int, advisor_login: str) -> HandoffView:
    with session_scope() as session:
        _check_owner(session, handoff_id, advisor_login)
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "en_cours")
            .values(status="cloturee", ended_at=utcnow())
        )
        if result.rowcount != 1:
            raise HandoffError("pas_en_cours")
    return get_handoff(handoff_id)


# --- Transcripts -----------------------------------------------------------------------


def full_transcript(handoff: HandoffView) -> list[dict[str, Any]]:
    """The conversation before the handoff, then the messages exchanged with the advisor."""
    entries = list(handoff.transcript)
    for message in handoff.messages:
        entries.append(
            {"auteur": message.author, "texte": message.text, "horodatage": message.created_at.isoformat()}
        )
    return entries


def transcript_as_text(entries: Iterable[dict[str, Any]]) -> str:
    lines = []
    for entry in entries:
        label = TRANSCRIPT_LABELS.get(entry.get("auteur"), entry.get("auteur") or "?")
        lines.append(f"{label} : {entry.get('texte', '')}")
    return "\n".join(lines)


def latest_transcript(conversation_id: str) -> list[dict[str, Any]] | None:
    """The full transcript of the conversation's latest handoff, to prefill a solicitation."""
    with session_scope() as session:
        handoff_id = session.scalar(
            select(Handoff.id)
            .where(Handoff.conversation_id == conversation_id)
            .order_by(Handoff.id.desc())
            .limit(1)
        )
    if handoff_id is None:
        return None
    return full_transcript(get_handoff(handoff_id, with_messages=True))
