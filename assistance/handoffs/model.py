"""What a handoff is: its statuses, the read-only views the adapters get, and the errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from assistance.db import aware, utcnow
from assistance.db.models import Handoff, HandoffMessage

MAX_MESSAGE_LENGTH = 2000  # an advisor's message, in characters
MAX_TRANSCRIPT_ENTRIES = 60


class HandoffStatus(str, Enum):
    """The stored statuses (French domain values)."""

    WAITING = "en_attente"  # queued, no advisor yet
    ACTIVE = "en_cours"  # an advisor took it and chats with the user
    CLOSED = "cloturee"  # the advisor closed it; the assistant took back over
    ABANDONED = "abandonnee"  # nobody took it in time, or the live chat closed meanwhile


OPEN_STATUSES = (HandoffStatus.WAITING.value, HandoffStatus.ACTIVE.value)


class EndReason(str, Enum):
    """Why a waiting handoff was given up."""

    CHAT_CLOSED = "chat_ferme"
    DELAY_EXCEEDED = "delai_depasse"


class HandoffError(Exception):
    """A request on a handoff that its current state does not allow; `code` says why.

    Codes: introuvable, deja_pris, plus_en_attente, pas_en_cours, autre_conseiller,
    message_vide, message_trop_long (the desk maps each to an HTTP status and French text),
    trop_de_demandes (a client opening too many handoffs: the assistant offers to write instead).
    """

    def __init__(self, code: str, handoff: HandoffView | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.handoff = handoff


@dataclass(frozen=True)
class MessageView:
    id: int
    handoff_id: int
    author: str  # transcripts.USER or transcripts.ADVISOR
    text: str
    created_at: datetime
    delivered: bool


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

    @property
    def advisor_display_name(self) -> str | None:
        return self.advisor_name or self.advisor_login

    def waiting_seconds(self, now: datetime | None = None) -> int:
        """How long the user waited (or has been waiting) for an advisor."""
        end = self.taken_at or self.ended_at or (now or utcnow())
        return max(0, int((end - self.created_at).total_seconds()))


@dataclass(frozen=True)
class QueueInfo:
    position: int  # 1 = next to be taken
    estimated_wait: timedelta | None  # None without recent history

    @property
    def estimated_minutes(self) -> int | None:
        if self.estimated_wait is None:
            return None
        return minutes(self.estimated_wait)


def minutes(delay: timedelta) -> int:
    """A delay in whole minutes, rounded up, at least 1."""
    return max(1, -(-int(delay.total_seconds()) // 60))


def message_view(row: HandoffMessage) -> MessageView:
    return MessageView(
        id=row.id, handoff_id=row.handoff_id, author=row.author, text=row.text,
        created_at=aware(row.created_at), delivered=bool(row.delivered),
    )


def handoff_view(row: Handoff, messages: Iterable[HandoffMessage] = ()) -> HandoffView:
    return HandoffView(
        id=row.id, conversation_id=row.conversation_id, motif=row.motif, profil=row.profil,
        context=dict(row.context or {}), channel=row.channel, status=row.status,
        queue_position=row.queue_position, advisor_login=row.advisor_login,
        advisor_name=row.advisor_name, transcript=list(row.transcript or []),
        end_reason=row.end_reason, rating=row.rating, created_at=aware(row.created_at),
        taken_at=aware(row.taken_at), ended_at=aware(row.ended_at),
        messages=[message_view(m) for m in messages],
    )


def advisor_message_payload(text: str, nom: str | None, message_id: int) -> dict[str, Any]:
    """An advisor's message as the widget reads it (the `custom` payload of a bot message):
    {"data": {"text", "conseiller": {"evenement": "message", "nom", "id"}}}; the id lets the
    widget acknowledge it and never show it twice."""
    return {"data": {"text": text, "conseiller": {"evenement": "message", "nom": nom, "id": message_id}}}


def acknowledged_message_id(payload: Any) -> int | None:
    """The id of the advisor message in a `custom` payload, if it is one."""
    data = payload.get("data") if isinstance(payload, dict) else None
    advisor = data.get("conseiller") if isinstance(data, dict) else None
    if isinstance(advisor, dict) and advisor.get("evenement") == "message":
        message_id = advisor.get("id")
        return message_id if isinstance(message_id, int) else None
    return None
