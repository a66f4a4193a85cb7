"""FAQ answers: the response chosen by the ResponseSelector, sent with the 👍/👎 buttons."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

VOTE_BUTTONS = [
    {"title": "👍", "payload": "/vote_positif"},
    {"title": "👎", "payload": "/vote_negatif"},
]


def selected_answer(latest_message: dict[str, Any]) -> tuple[str, str] | None:
    """(topic, response name) chosen for the `faq` retrieval intent, if any.

    Uncertain choices never get here: components.faq_fallback turns them into nlu_fallback."""
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key")
    if not key or "/" not in key:
        return None
    return key.split("/", 1)[1], response.get("utter_action") or f"utter_{key}"


class ActionRepondreFaq(Action):
    def name(self) -> str:
        return "action_repondre_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = selected_answer(tracker.latest_message)
        if answer is None:
            return [FollowupAction("action_gerer_incompris")]
        topic, response = answer
        dispatcher.utter_message(response=response, buttons=VOTE_BUTTONS)
        return [
            SlotSet("derniere_faq", topic),
            SlotSet("dernier_message_faq", tracker.latest_message.get("text")),
            SlotSet("id_derniere_reponse", uuid.uuid4().hex),
            SlotSet("offre_escalade", None),
        ]
