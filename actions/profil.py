"""Session start: the website's metadata (profile, login state, identity, user agent) becomes slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

PROFILS = {"fournisseur", "structure_publique", "prestataire_justice", "agriculteur"}
MAX_FIELD = 200  # identity fields are short; anything longer is not trusted as-is


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text[:MAX_FIELD] or None


def profile_slots(metadata: dict[str, Any] | None) -> list[EventType]:
    """Slots from the embedding page's metadata; unknown or malformed values are ignored."""
    metadata = metadata if isinstance(metadata, dict) else {}
    user = metadata.get("utilisateur") if isinstance(metadata.get("utilisateur"), dict) else metadata
    profil = _text(user.get("profil"))
    connecte = user.get("connecte")
    events: list[EventType] = [
        SlotSet("profil", profil if profil in PROFILS else None),
        SlotSet("connecte", connecte is True or str(connecte).lower() == "true"),
    ]
    for slot, key in (("identifiant", "identifiant"), ("structure", "structure"), ("siret", "siret")):
        events.append(SlotSet(slot, _text(user.get(key))))
    events.append(SlotSet("navigateur", _text(metadata.get("user_agent") or user.get("user_agent"))))
    return events


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata")
        return [SessionStarted(), *profile_slots(metadata), ActionExecuted("action_listen")]
