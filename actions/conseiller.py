"""Live chat with a human advisor: queue, relay of messages both ways, hand-back to the assistant.

How a handoff runs (the database, through actions/handoff_store.py, is the source of truth):

1. The user accepts the advisor offer: `action_transferer_conseiller` queues the conversation
   (reason, profile, transcript so far), tells the user their position and estimated wait, sets
   `id_transfert`, and schedules a Rasa reminder for when the wait runs out.
2. While `id_transfert` is set, policies/handoff_policy.py makes every user message run
   `action_relayer_message_conseiller`: the message is stored for the advisor and the assistant
   says nothing of its own.
3. The advisor desk (desk/) stores advisor messages and state changes, then wakes the
   conversation through Rasa's HTTP API with the intent `EXTERNAL_evenement_conseiller`;
   `action_synchroniser_conseiller` shows the user what happened since they last heard.
4. Advisor messages and notices follow the message contract shared with the widget:
   json_message {"data": {"text": ..., "conseiller": {"evenement": E, "nom": ...}}}, E in
   attente, rejoint, message, parti.

Socket.io users receive all of that in real time. A REST caller cannot be pushed to: what happened
is delivered in the answer to its next message, or to the payload `/relever_messages_conseiller`
that polls without writing to the advisor.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import handoff_store
from actions.escalade import make_offer
from actions.handoff_store import HandoffView

logger = logging.getLogger(__name__)

SLOT_HANDOFF = "id_transfert"
SLOT_ADVISOR_NAME = "nom_conseiller"
WAKE_UP_INTENT = "EXTERNAL_evenement_conseiller"
POLL_INTENT = "relever_messages_conseiller"
RATING_ENTITY = "note_echange"
PUSH_CHANNELS = {"socketio"}  # channels Rasa can send to outside of a user's turn
EXTERNAL_TEXT_PREFIX = "EXTERNAL: "
PROFILE_CONTEXT_SLOTS = ("connecte", "identifiant", "structure", "siret", "navigateur")


def _iso(timestamp: Any) -> str | None:
    try:
        return datetime.fromtimestamp(float(timestamp), tz=timezone.utc).isoformat()
    except (TypeError, ValueError):
        return None


def transcript_from_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the user and the assistant said in the current session, oldest first."""
    entries: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            entries = []
        elif kind == "user":
            text = event.get("text") or ""
            external = (event.get("metadata") or {}).get("is_external")
            if text and not external and not text.startswith(EXTERNAL_TEXT_PREFIX):
                entries.append(_entry(handoff_store.AUTHOR_USER, text, event))
        elif kind == "bot":
            custom = ((event.get("data") or {}).get("custom") or {}).get("data") or {}
            text = event.get("text") or custom.get("text")
            if text:
                entries.append(_entry(handoff_store.AUTHOR_ASSISTANT, text, event))
    return entries


def _entry(author: str, text: str, event: dict[str, Any]) -> dict[str, Any]:
    return {"auteur": author, "texte": text, "horodatage": _iso(event.get("timestamp"))}


def _minutes(delay: timedelta) -> int:
    return max(1, -(-int(delay.total_seconds()) // 60))


def _current_handoff(tracker: Tracker) -> HandoffView | None:
    """The handoff the slot points at, else the conversation's open one (slots may be lost)."""
    slot = tracker.get_slot(SLOT_HANDOFF)
    if slot:
        try:
            handoff = handoff_store.get_handoff(int(slot))
        except ValueError:
            handoff = None
        if handoff is not None and handoff.conversation_id == tracker.sender_id:
            return handoff
    return handoff_store.open_handoff_for(tracker.sender_id)


def _advisor_message(dispatcher: CollectingDispatcher, evenement: str, text: str, nom: str | None) -> None:
    dispatcher.utter_message(
        json_message={"data": {"text": text, "conseiller": {"evenement": evenement, "nom": nom}}}
    )


def _back_to_assistant() -> list[EventType]:
    return [
        SlotSet(SLOT_HANDOFF, None),
        SlotSet(SLOT_ADVISOR_NAME, None),
        SlotSet("nb_incompris", 0),
        SlotSet("nb_votes_negatifs", 0),
    ]


def synchronise(
    dispatcher: CollectingDispatcher, tracker: Tracker, handoff: HandoffView | None
) -> list[EventType]:
    """Show the user what happened on their handoff since they last heard, and follow it.

    Idempotent: what was already shown is remembered (advisor messages flagged delivered in the
    database, the advisor's arrival in the `nom_conseiller` slot).
    """
    if handoff is None:
        if tracker.get_slot(SLOT_HANDOFF) is None:
            return []
        return [SlotSet(SLOT_HANDOFF, None), SlotSet(SLOT_ADVISOR_NAME, None)]
    if handoff.status == "en_attente":
        reason = handoff_store.due_reason(handoff)
        if reason:
            handoff_store.abandon(handoff.id, reason)
            handoff = handoff_store.get_handoff(handoff.id)
    events: list[EventType] = []
    if tracker.get_slot(SLOT_HANDOFF) != str(handoff.id) and handoff.is_open:
        events.append(SlotSet(SLOT_HANDOFF, str(handoff.id)))
    if handoff.status == "en_attente":
        return events

    nom = handoff.advisor_name or handoff.advisor_login
    if handoff.advisor_login and tracker.get_slot(SLOT_ADVISOR_NAME) is None:
        dispatcher.utter_message(response="utter_conseiller_rejoint", nom=nom)
        events.append(SlotSet(SLOT_ADVISOR_NAME, nom))
    for message in handoff_store.claim_undelivered(handoff.id):
        _advisor_message(dispatcher, "message", message.text, nom)

    if handoff.status == "cloturee":
        dispatcher.utter_message(response="utter_conseiller_parti", nom=nom)
        dispatcher.utter_message(response="utter_noter_echange")
        return [*events, *_back_to_assistant()]
    if handoff.status == "abandonnee":
        minutes = _minutes(handoff_store.waiting_delay())
        if handoff.end_reason == "chat_ferme":
            dispatcher.utter_message(response="utter_conseiller_attente_chat_ferme")
        else:
            dispatcher.utter_message(response="utter_conseiller_attente_depassee", delai=minutes)
        dispatcher.utter_message(response="utter_proposer_sollicitation_apres_attente")
        return [
            *events,
            *_back_to_assistant(),
            SlotSet("offre_escalade", "sollicitation"),
            # Any reason but a direct request makes the form offer the transcript so far.
            SlotSet("motif_escalade", "conseiller_indisponible"),
        ]
    return events


class ActionTransfererConseiller(Action):
    """The user accepted the advisor offer: queue the conversation for the advisor desk."""

    def name(self) -> str:
        return "action_transferer_conseiller"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        motif = tracker.get_slot("motif_escalade") or "demande_directe"
        if not handoff_store.chat_is_open():
            # The chat closed between the offer and the answer: offer a written request instead.
            return make_offer(dispatcher, motif)
        try:
            handoff, _ = handoff_store.create_handoff(
                conversation_id=tracker.sender_id,
                motif=motif,
                profil=tracker.get_slot("profil"),
                context={slot: tracker.get_slot(slot) for slot in PROFILE_CONTEXT_SLOTS},
                channel=tracker.get_latest_input_channel(),
                transcript=transcript_from_events(tracker.events),
            )
            queue = handoff_store.queue_info(handoff.id)
            delay = handoff_store.waiting_delay()
        except SQLAlchemyError:
            logger.exception("handoff not created for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_transfert_impossible")
            return [SlotSet("offre_escalade", "sollicitation")]

        if queue.estimated_minutes is None:
            dispatcher.utter_message(
                response="utter_conseiller_attente_sans_estimation",
                position=queue.position, delai=_minutes(delay),
            )
        else:
            dispatcher.utter_message(
                response="utter_conseiller_attente",
                position=queue.position, attente=queue.estimated_minutes, delai=_minutes(delay),
            )
        return [
            SlotSet("offre_escalade", None),
            SlotSet(SLOT_HANDOFF, str(handoff.id)),
            SlotSet(SLOT_ADVISOR_NAME, None),
            self._wake_up_when_due(handoff, delay),
        ]

    @staticmethod
    def _wake_up_when_due(handoff: HandoffView, delay: timedelta) -> EventType:
        """A Rasa reminder for when the wait runs out or the chat closes, whichever is first.

        It runs action_synchroniser_conseiller, which gives up the handoff if nobody took it.
        The name carries the handoff id: Rasa keys reminders by name across conversations.
        """
        now = datetime.now(timezone.utc)
        remaining = delay - (now - handoff.created_at)
        closing = handoff_store.seconds_until_closing()
        if closing is not None:
            remaining = min(remaining, timedelta(seconds=closing))
        return ReminderScheduled(
            WAKE_UP_INTENT,
            trigger_date_time=now + max(remaining, timedelta(0)) + timedelta(seconds=1),
            name=f"attente_conseiller_{handoff.id}",
            kill_on_user_message=False,
        )


class ActionRelayerMessageConseiller(Action):
    """A user message during a handoff: kept for the advisor; the assistant stays silent.

    Also the REST callers' way to receive what the advisor sent (see the module docstring).
    """

    def name(self) -> str:
        return "action_relayer_message_conseiller"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text")
        try:
            handoff = _current_handoff(tracker)
            if handoff is not None and intent != POLL_INTENT and text:
                # Kept even if the handoff has just ended: it stays in its transcript.
                handoff_store.add_user_message(handoff.id, text)
                if not handoff.is_open:
                    logger.info("message after the end of handoff %s", handoff.id)
            return synchronise(dispatcher, tracker, handoff)
        except SQLAlchemyError:
            logger.exception("message not relayed for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_message_conseiller_non_transmis")
            return []


class ActionSynchroniserConseiller(Action):
    """Woken by the desk (or by the waiting reminder) through `EXTERNAL_evenement_conseiller`."""

    def name(self) -> str:
        return "action_synchroniser_conseiller"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            handoff = _current_handoff(tracker)
            if tracker.get_latest_input_channel() in PUSH_CHANNELS:
                return synchronise(dispatcher, tracker, handoff)
            # What would be said now could not reach a REST caller: it waits for their next
            # message. An overdue wait is still given up, so that the desk stops listing it.
            if handoff is not None:
                reason = handoff_store.due_reason(handoff)
                if reason:
                    handoff_store.abandon(handoff.id, reason)
            return []
        except SQLAlchemyError:
            logger.exception("handoff not synchronised for %s", tracker.sender_id)
            return []


class ActionEnregistrerNoteEchange(Action):
    """The user rates the exchange with the advisor (buttons 1 to 5 after the hand-back)."""

    def name(self) -> str:
        return "action_enregistrer_note_echange"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        value = next(tracker.get_latest_entity_values(RATING_ENTITY), None)
        try:
            rating = int(str(value).strip())
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            dispatcher.utter_message(response="utter_note_echange_invalide")
            return []
        try:
            outcome = handoff_store.record_rating(tracker.sender_id, rating)
        except SQLAlchemyError:
            logger.exception("rating not stored for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_note_echange_non_enregistree")
            return []
        dispatcher.utter_message(
            response={
                "ok": "utter_note_echange_merci",
                "deja_note": "utter_note_echange_deja_enregistree",
            }.get(outcome, "utter_note_echange_sans_echange")
        )
        return []
