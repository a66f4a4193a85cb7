"""Live chat with a human advisor: queue, relay of messages both ways, hand-back to the assistant.

How a handoff runs (the database, through assistance.handoffs, is the source of truth):

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
   json_message {"data": {"text": ..., "conseiller": {"evenement": E, "nom": ..., "id": N}}}, E in
   attente, rejoint, message, parti; an advisor message carries its id N.

Socket.io users receive all of that in real time, from whichever Rasa replica runs the turn
(channels/resilient.py); an advisor message counts as delivered when the widget acknowledges it,
and what it did not acknowledge is sent again when it reconnects. A REST caller cannot be pushed
to: what happened is delivered in the answer to its next message, or to the payload
`/relever_messages_conseiller` that polls without writing to the advisor.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.escalation import make_offer
from assistance import handoffs, names, transcripts
from assistance.bootstrap import Core, get_core
from assistance.handoffs import EndReason, HandoffStatus, HandoffView

logger = logging.getLogger(__name__)

RATING_ENTITY = "note_echange"
PUSH_CHANNELS = {"socketio"}  # channels Rasa can send to outside of a user's turn
PROFILE_CONTEXT_SLOTS = ("connecte", "identifiant", "structure", "siret", "navigateur")


def _current_handoff(core: Core, tracker: Tracker) -> HandoffView | None:
    """The handoff the slot points at, else the conversation's open one (slots may be lost)."""
    slot = tracker.get_slot(names.SLOT_HANDOFF)
    if slot:
        try:
            handoff = handoffs.get_handoff(core.db, int(slot))
        except ValueError:
            handoff = None
        if handoff is not None and handoff.conversation_id == tracker.sender_id:
            return handoff
    return handoffs.open_handoff_for(core.db, tracker.sender_id)


def _give_up_if_due(core: Core, handoff: HandoffView) -> HandoffView:
    after = handoffs.give_up_if_due(core.db, handoff, core.schedule(), core.now())
    if after.status != handoff.status:
        core.events.publish("handoff", after.id)
    return after


def _back_to_assistant() -> list[EventType]:
    return [
        SlotSet(names.SLOT_HANDOFF, None),
        SlotSet(names.SLOT_ADVISOR_NAME, None),
        SlotSet(names.SLOT_MISUNDERSTOOD, 0),
        SlotSet(names.SLOT_NEGATIVE_VOTES, 0),
    ]


def synchronise(
    core: Core, dispatcher: CollectingDispatcher, tracker: Tracker, handoff: HandoffView | None
) -> list[EventType]:
    """Show the user what happened on their handoff since they last heard, and follow it.

    Idempotent: what was already shown is remembered (advisor messages flagged delivered in the
    database, the advisor's arrival in the `nom_conseiller` slot).
    """
    if handoff is None:
        if tracker.get_slot(names.SLOT_HANDOFF) is None:
            return []
        return [SlotSet(names.SLOT_HANDOFF, None), SlotSet(names.SLOT_ADVISOR_NAME, None)]
    handoff = _give_up_if_due(core, handoff)
    events: list[EventType] = []
    if tracker.get_slot(names.SLOT_HANDOFF) != str(handoff.id) and handoff.is_open:
        events.append(SlotSet(names.SLOT_HANDOFF, str(handoff.id)))
    if handoff.status == HandoffStatus.WAITING:
        return events

    nom = handoff.advisor_display_name
    if handoff.advisor_login and tracker.get_slot(names.SLOT_ADVISOR_NAME) is None:
        dispatcher.utter_message(response="utter_conseiller_rejoint", nom=nom)
        events.append(SlotSet(names.SLOT_ADVISOR_NAME, nom))
    pushed = tracker.get_latest_input_channel() in PUSH_CHANNELS  # else the answer carries them
    for message in handoffs.take_unsent(core.db, handoff.id, again=not pushed):
        dispatcher.utter_message(
            json_message=handoffs.advisor_message_payload(message.text, nom, message.id)
        )

    if handoff.status == HandoffStatus.CLOSED:
        dispatcher.utter_message(response="utter_conseiller_parti", nom=nom)
        dispatcher.utter_message(response="utter_noter_echange")
        return [*events, *_back_to_assistant()]
    if handoff.status == HandoffStatus.ABANDONED:
        if handoff.end_reason == EndReason.CHAT_CLOSED:
            dispatcher.utter_message(response="utter_conseiller_attente_chat_ferme")
        else:
            dispatcher.utter_message(
                response="utter_conseiller_attente_depassee",
                delai=handoffs.minutes(core.schedule().waiting_delay),
            )
        dispatcher.utter_message(response="utter_proposer_sollicitation_apres_attente")
        return [
            *events,
            *_back_to_assistant(),
            SlotSet(names.SLOT_OFFER, "sollicitation"),
            # Any reason but a direct request makes the form offer the transcript so far.
            SlotSet(names.SLOT_ESCALATION_REASON, "conseiller_indisponible"),
        ]
    return events


class ActionTransfererConseiller(Action):
    """The user accepted the advisor offer: queue the conversation for the advisor desk."""

    def name(self) -> str:
        return names.HANDOFF_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        core = get_core()
        motif = tracker.get_slot(names.SLOT_ESCALATION_REASON) or "demande_directe"
        if not core.chat_is_open():
            # The chat closed between the offer and the answer: offer a written request instead.
            return make_offer(dispatcher, motif)
        settings = core.settings
        try:
            handoff, _ = handoffs.create_handoff(
                core.db,
                conversation_id=tracker.sender_id,
                motif=motif,
                profil=tracker.get_slot(names.SLOT_PROFILE),
                context={slot: tracker.get_slot(slot) for slot in PROFILE_CONTEXT_SLOTS},
                channel=tracker.get_latest_input_channel(),
                transcript=[turn.as_entry() for turn in transcripts.turns(tracker.events)],
                client_key=(tracker.latest_message.get("metadata") or {}).get("_client"),
                limit=handoffs.HandoffLimit(
                    settings.handoff_limit, settings.handoff_limit_per_client,
                    timedelta(minutes=settings.handoff_limit_window_minutes),
                ),
            )
            queue = handoffs.queue_info(core.db, handoff.id)
            core.events.publish("handoff", handoff.id)
        except handoffs.HandoffError:  # trop_de_demandes
            dispatcher.utter_message(response="utter_transfert_trop_de_demandes")
            return [SlotSet(names.SLOT_OFFER, "sollicitation")]
        except SQLAlchemyError:
            logger.exception("handoff not created for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_transfert_impossible")
            return [SlotSet(names.SLOT_OFFER, "sollicitation")]

        delay = core.schedule().waiting_delay
        if queue.estimated_minutes is None:
            dispatcher.utter_message(
                response="utter_conseiller_attente_sans_estimation",
                position=queue.position, delai=handoffs.minutes(delay),
            )
        else:
            dispatcher.utter_message(
                response="utter_conseiller_attente",
                position=queue.position, attente=queue.estimated_minutes,
                delai=handoffs.minutes(delay),
            )
        return [
            SlotSet(names.SLOT_OFFER, None),
            SlotSet(names.SLOT_HANDOFF, str(handoff.id)),
            SlotSet(names.SLOT_ADVISOR_NAME, None),
            self._wake_up_when_due(core, handoff, delay),
        ]

    @staticmethod
    def _wake_up_when_due(core: Core, handoff: HandoffView, delay: timedelta) -> EventType:
        """A Rasa reminder for when the wait runs out or the chat closes, whichever is first.

        It runs action_synchroniser_conseiller, which gives up the handoff if nobody took it.
        The name carries the handoff id: Rasa keys reminders by name across conversations.
        """
        now = datetime.now(timezone.utc)
        remaining = delay - (now - handoff.created_at)
        closing = core.schedule().seconds_until_closing(core.now())
        if closing is not None:
            remaining = min(remaining, timedelta(seconds=closing))
        return ReminderScheduled(
            names.WAKE_UP_INTENT,
            trigger_date_time=now + max(remaining, timedelta(0)) + timedelta(seconds=1),
            name=f"attente_conseiller_{handoff.id}",
            kill_on_user_message=False,
        )


class ActionRelayerMessageConseiller(Action):
    """A user message during a handoff: kept for the advisor; the assistant stays silent.

    Also the REST callers' way to receive what the advisor sent (see the module docstring).
    """

    def name(self) -> str:
        return names.RELAY_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        core = get_core()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text")
        try:
            handoff = _current_handoff(core, tracker)
            if handoff is not None and intent != names.POLL_INTENT and text:
                # Kept even if the handoff has just ended: it stays in its transcript.
                handoffs.add_user_message(core.db, handoff.id, text)
                core.events.publish("message", handoff.id)
                if not handoff.is_open:
                    logger.info("message after the end of handoff %s", handoff.id)
            return synchronise(core, dispatcher, tracker, handoff)
        except SQLAlchemyError:
            logger.exception("message not relayed for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_message_conseiller_non_transmis")
            return []


class ActionSynchroniserConseiller(Action):
    """Woken by the desk (or by the waiting reminder) through `EXTERNAL_evenement_conseiller`."""

    def name(self) -> str:
        return names.SYNC_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        core = get_core()
        try:
            handoff = _current_handoff(core, tracker)
            if tracker.get_latest_input_channel() in PUSH_CHANNELS:
                return synchronise(core, dispatcher, tracker, handoff)
            # What would be said now could not reach a REST caller: it waits for their next
            # message. An overdue wait is still given up, so that the desk stops listing it.
            if handoff is not None:
                _give_up_if_due(core, handoff)
            return []
        except SQLAlchemyError:
            logger.exception("handoff not synchronised for %s", tracker.sender_id)
            return []


class ActionEnregistrerNoteEchange(Action):
    """The user rates the exchange with the advisor (buttons 1 to 5 after the hand-back)."""

    def name(self) -> str:
        return names.RATING_ACTION

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
            outcome = handoffs.record_rating(get_core().db, tracker.sender_id, rating)
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
