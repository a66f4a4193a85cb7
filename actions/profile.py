"""Session start: the website's metadata (profile, login state, identity, user agent) becomes slots.

Rasa hands the metadata of the first message of a session to action_session_start in the
`session_started_metadata` slot. The widget (widget/src/claudia-widget.js) sends, with every
message (socket.io `user_uttered` payload, key `metadata`):

    {"utilisateur": {"connecte": true, "profil": "fournisseur", "identifiant": "...",
                     "structure": "...", "siret": "..."},
     "user_agent": "<navigator.userAgent>"}

A REST caller may send the same keys flat ({"connecte": true, "profil": ..., "user_agent": ...}).
The metadata comes from the browser: it is never trusted beyond choosing answer variations and
prefilling fields the user can still correct.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from assistance import handoffs, names
from assistance.bootstrap import get_core
from assistance.handoffs import HandoffView
from assistance.validation import InvalidAnswer, validate_siret

logger = logging.getLogger(__name__)
PROFILS = {"fournisseur", "structure_publique", "prestataire_justice", "agriculteur"}
MAX_FIELD = 200  # identity fields are short; anything longer is not trusted as-is
MAX_USER_AGENT = 512


def _text(value: Any, limit: int = MAX_FIELD) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = " ".join(str(value).split())  # no control characters or line breaks in a slot
    return text[:limit] or None


def _connecte(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in {"true", "1", "oui"})


def _siret(value: Any) -> str | None:
    """A valid SIRET, compacted (no spaces); anything else is dropped rather than prefilled."""
    text = _text(value)
    if text is None:
        return None
    try:
        return validate_siret(text)
    except InvalidAnswer:
        return None


def profile_slots(metadata: dict[str, Any] | None) -> list[EventType]:
    """Slots from the embedding page's metadata; unknown or malformed values are ignored."""
    metadata = metadata if isinstance(metadata, dict) else {}
    user = metadata.get("utilisateur") if isinstance(metadata.get("utilisateur"), dict) else metadata
    profil = _text(user.get("profil"))
    return [
        SlotSet(names.SLOT_PROFILE, profil if profil in PROFILS else None),
        SlotSet(names.SLOT_LOGGED_IN, _connecte(user.get("connecte"))),
        SlotSet("identifiant", _text(user.get("identifiant"))),
        SlotSet("structure", _text(user.get("structure"))),
        SlotSet("siret", _siret(user.get("siret"))),
        SlotSet(
            "navigateur",
            _text(metadata.get("user_agent") or user.get("user_agent"), MAX_USER_AGENT),
        ),
    ]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata")
        events = [SessionStarted(), *profile_slots(metadata)]
        handoff = _open_handoff(tracker.sender_id)
        if handoff is not None:  # a new session must not hand the user back to the bot mid-chat
            events.append(SlotSet(names.SLOT_HANDOFF, str(handoff.id)))
        return [*events, ActionExecuted("action_listen")]


def _open_handoff(conversation_id: str) -> HandoffView | None:
    try:
        return handoffs.open_handoff_for(get_core().db, conversation_id)
    except SQLAlchemyError:
        logger.exception("could not look up an open handoff for %s", conversation_id)
        return None
