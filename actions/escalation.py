"""Misunderstandings, votes and the escalation offer (human advisor or written request)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from assistance import names, schedule
from assistance.bootstrap import get_core
from assistance.votes import record_vote

logger = logging.getLogger(__name__)


def last_faq_answer(tracker: Tracker) -> tuple[str, str, str | None] | None:
    """(answer id, topic, user message) of the session's last FAQ answer, if any.

    FAQ answers are sent by Rasa's `utter_faq`, which records the response name in the bot
    event's metadata; the answer id is that event's timestamp, unique in the conversation.
    """
    found = None
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            break
        if found is None and kind == "bot":
            action = (event.get("metadata") or {}).get("utter_action") or ""
            if action.startswith(names.FAQ_PREFIX):
                found = (repr(event.get("timestamp")), action.removeprefix(names.FAQ_PREFIX))
        elif found is not None and kind == "user":
            return (*found, event.get("text"))
    return (*found, None) if found else None


def _count(tracker: Tracker, slot: str) -> int:
    return int(tracker.get_slot(slot) or 0)


def make_offer(dispatcher: CollectingDispatcher, motif: str) -> list[EventType]:
    """Offer a human advisor when the live chat is open, a written request otherwise.

    Making the offer resets both failure counters.
    """
    core = get_core()
    hours, moment = core.schedule(), core.now()
    if hours.is_open(moment):
        dispatcher.utter_message(response="utter_proposer_conseiller")
        offre = "conseiller"
    else:
        reopening = schedule.format_reopening(hours.next_opening(moment), moment)
        dispatcher.utter_message(response="utter_chat_ferme", reouverture=reopening)
        offre = "sollicitation"
    return [
        SlotSet(names.SLOT_OFFER, offre),
        SlotSet(names.SLOT_ESCALATION_REASON, motif),
        SlotSet(names.SLOT_MISUNDERSTOOD, 0),
        SlotSet(names.SLOT_NEGATIVE_VOTES, 0),
    ]


class ActionGererIncompris(Action):
    """An nlu_fallback or an out-of-scope question: a misunderstood answer."""

    def name(self) -> str:
        return "action_gerer_incompris"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        count = _count(tracker, names.SLOT_MISUNDERSTOOD) + 1
        if count >= get_core().settings.misunderstanding_threshold:
            dispatcher.utter_message(response="utter_incompris_repete")
            return make_offer(dispatcher, "incompris")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(
            response="utter_hors_perimetre" if intent == "hors_perimetre" else "utter_incompris"
        )
        return [SlotSet(names.SLOT_MISUNDERSTOOD, count), SlotSet(names.SLOT_OFFER, None)]


class ActionEnregistrerVote(Action):
    """A 👍/👎 (button or typed) on the last FAQ answer, stored once per answer."""

    def name(self) -> str:
        return "action_enregistrer_vote"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        positive = (tracker.latest_message.get("intent") or {}).get("name") == names.VOTE_POSITIVE_INTENT
        answer = last_faq_answer(tracker)
        if answer is None:
            if positive:
                dispatcher.utter_message(response="utter_vote_sans_reponse")
                return []
            # Unhappy before any answer: that is still a reason to offer a human.
            return self._negative(dispatcher, tracker)
        answer_id, topic, user_message = answer
        try:
            new = record_vote(
                get_core().db,
                conversation_id=tracker.sender_id,
                answer_id=answer_id,
                value=1 if positive else -1,
                topic=topic,
                user_message=user_message,
                profil=tracker.get_slot(names.SLOT_PROFILE),
                connecte=tracker.get_slot(names.SLOT_LOGGED_IN),
            )
        except SQLAlchemyError:
            logger.exception("vote not stored for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_vote_non_enregistre")
            return [] if positive else self._negative(dispatcher, tracker)
        if not new:
            dispatcher.utter_message(response="utter_vote_deja_enregistre")
            return []
        if positive:
            dispatcher.utter_message(response="utter_vote_merci")
            return []
        dispatcher.utter_message(response="utter_vote_negatif_regret")
        return self._negative(dispatcher, tracker)

    @staticmethod
    def _negative(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        count = _count(tracker, names.SLOT_NEGATIVE_VOTES) + 1
        if count >= get_core().settings.negative_vote_threshold:
            return make_offer(dispatcher, "vote_negatif")
        dispatcher.utter_message(response="utter_escalade_declinee")
        return [SlotSet(names.SLOT_NEGATIVE_VOTES, count)]


class ActionProposerEscalade(Action):
    """The user asks for a human directly."""

    def name(self) -> str:
        return "action_proposer_escalade"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return make_offer(dispatcher, "demande_directe")


class ActionDeclinerEscalade(Action):
    def name(self) -> str:
        return "action_decliner_escalade"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_escalade_declinee")
        return [SlotSet(names.SLOT_OFFER, None)]


class ActionRetirerOffre(Action):
    """The user asked a question instead of answering the offer: a later « oui » must not accept it."""

    def name(self) -> str:
        return "action_retirer_offre"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [SlotSet(names.SLOT_OFFER, None)]
