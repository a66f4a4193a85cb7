"""The conversation as the support reads it: (author, text) turns from the tracker's events.

One builder for the transcript stored with a handoff (shown to the advisor) and the one offered
in a solicitation (read by the support), and the one table of author labels. Events are Rasa's
JSON events (dicts): no Rasa import is needed to read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

USER = "utilisateur"
ASSISTANT = "assistant"
ADVISOR = "conseiller"
# How each author is named in a transcript, in the desk and in a solicitation.
LABELS = {USER: "Utilisateur", ASSISTANT: "Claud.IA", ADVISOR: "Conseiller"}
EXTERNAL_TEXT_PREFIX = "EXTERNAL: "  # the text Rasa gives to an intent triggered from outside


@dataclass(frozen=True)
class Turn:
    author: str  # USER, ASSISTANT or ADVISOR
    text: str
    timestamp: float | None = None

    def as_entry(self) -> dict[str, Any]:
        """The stored form ({auteur, texte, horodatage}), as in handoffs.transcript."""
        moment = None
        if self.timestamp is not None:
            moment = datetime.fromtimestamp(self.timestamp, tz=timezone.utc).isoformat()
        return {"auteur": self.author, "texte": self.text, "horodatage": moment}


def _timestamp(event: dict[str, Any]) -> float | None:
    try:
        return float(event["timestamp"])
    except (KeyError, TypeError, ValueError):
        return None


def bot_turn(event: dict[str, Any]) -> Turn | None:
    """A bot event's text; an advisor's message is a custom payload {"data": {"text", "conseiller"}}."""
    text = (event.get("text") or "").strip()
    custom = ((event.get("data") or {}).get("custom") or {}).get("data") or {}
    author = ASSISTANT
    if not text and isinstance(custom, dict) and isinstance(custom.get("text"), str):
        text = custom["text"].strip()
        if ((custom.get("conseiller") or {}).get("evenement")) == "message":
            author = ADVISOR
    return Turn(author, text, _timestamp(event)) if text else None


def user_turn(event: dict[str, Any]) -> Turn | None:
    """A user event's text; None for messages triggered by other systems (the desk, reminders),
    which are never the user's words."""
    text = (event.get("text") or "").strip()
    external = (event.get("metadata") or {}).get("is_external")
    if not text or external or text.startswith(EXTERNAL_TEXT_PREFIX):
        return None
    return Turn(USER, text, _timestamp(event))


def turns(
    events: list[dict[str, Any]], *, keep_payloads: bool = True, skip_loop: str | None = None
) -> list[Turn]:
    """What was said in the current session, oldest first.

    Messages triggered by other systems are left out (`user_turn`); `keep_payloads=False` also
    drops button payloads (« /affirmer »), and `skip_loop` the turns spent inside that form.
    """
    found: list[Turn] = []
    in_loop = False
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            found = []
        elif kind == "active_loop":
            in_loop = skip_loop is not None and event.get("name") == skip_loop
        elif in_loop:
            continue
        elif kind == "user":
            turn = user_turn(event)
            if turn and (keep_payloads or not turn.text.startswith("/")):
                found.append(turn)
        elif kind == "bot":
            turn = bot_turn(event)
            if turn:
                found.append(turn)
    return found


def shortened(found: list[Turn], *, last: int, max_length: int) -> list[Turn]:
    """The `last` turns, each cut to `max_length` characters (then « … »)."""
    return [
        Turn(t.author, t.text if len(t.text) <= max_length else t.text[:max_length] + "…", t.timestamp)
        for t in found[-last:]
    ]


def as_text(found: list[Turn]) -> str:
    """« Utilisateur : … » / « Claud.IA : … » / « Conseiller : … » lines."""
    return "\n".join(f"{LABELS.get(t.author, t.author)} : {t.text}" for t in found)
