"""Misunderstandings, votes and the escalation offer (human advisor or written request)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import horaires
from actions.settings import get_settings
from actions.votes import record_vote

logger = logging.getLogger(__name__)


FAQ_PREFIX = "utter_faq/"


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
            if action.startswith(FAQ_PREFIX):
                found = (repr(event.get("timestamp")), action.removeprefix(FAQ_PREFIX))
        elif found is not None and kind == "user":
            return (*found, event.get("text"))
    return (*found, None) if found else None


def _count(tracker: Tracker, slot: str) -> int:
    return int(tracker.get_slot(slot) or 0)


def make_offer(dispatcher: CollectingDispatcher, motif: str) -> list[EventType]:
    """Offer a human advisor when the live chat is open, a written request otherwise.

    Making the offer resets both failure counters.
    """
    schedule = horaires.load_schedule()
    moment = horaires.now()
    if schedule.is_open(moment):
        dispatcher.utter_message(response="utter_proposer_conseiller")
        offre = "conseiller"
    else:
        reopening = horaires.format_reopening(schedule.next_opening(moment), moment)
        dispatcher.utter_message(response="utter_chat_ferme", reouverture=reopening)
        offre = "sollicitation"
    return [
        SlotSet("offre_escalade", offre),
        SlotSet("motif_escalade", motif),
        SlotSet("nb_incompris", 0),
        SlotSet("nb_votes_negatifs", 0),
    ]


class ActionGererIncompris(Action):
    """An nlu_fallback or an out-of-scope question: a misunderstood answer."""

    def name(self) -> str:
        return "action_gerer_incompris"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        nb_incompris = _count(tracker, "nb_incompris") + 1
        if nb_incompris >= get_settings().seuil_incompris:
            dispatcher.utter_message(response="utter_incompris_repete")
            return make_offer(dispatcher, "incompris")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(
            response="utter_hors_perimetre" if intent == "hors_perimetre" else "utter_incompris"
        )
        return [SlotSet("nb_incompris", nb_incompris), SlotSet("offre_escalade", None)]


class ActionEnregistrerVote(Action):
    """A 👍/👎 (button or typed) on the last FAQ answer, stored once per answer."""

    def name(self) -> str:
        return "action_enregistrer_vote"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        positive = (tracker.latest_message.get("intent") or {}).get("name") == "vote_positif"
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
                conversation_id=tracker.sender_id,
                answer_id=answer_id,
                value=1 if positive else -1,
                topic=topic,
                user_message=user_message,
                profil=tracker.get_slot("profil"),
                connecte=tracker.get_slot("connecte"),
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
        nb_votes = _count(tracker, "nb_votes_negatifs") + 1
        if nb_votes >= get_settings().seuil_votes_negatifs:
            return make_offer(dispatcher, "vote_negatif")
        dispatcher.utter_message(response="utter_escalade_declinee")
        return [SlotSet("nb_votes_negatifs", nb_votes)]


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
        return [SlotSet("offre_escalade", None)]


class ActionRetirerOffre(Action):
    """The user asked a question instead of answering the offer: a later « oui » must not accept it."""

    def name(self) -> str:
        return "action_retirer_offre"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [SlotSet("offre_escalade", None)]
