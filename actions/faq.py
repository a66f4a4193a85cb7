"""FAQ answers: the response chosen by the ResponseSelector, sent with the 👍/👎 buttons."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.settings import get_settings

VOTE_BUTTONS = [
    {"title": "👍", "payload": "/vote_positif"},
    {"title": "👎", "payload": "/vote_negatif"},
]


def selected_answer(latest_message: dict[str, Any]) -> tuple[str, str, float] | None:
    """(topic, response name, confidence) chosen for the `faq` retrieval intent, if any."""
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key")
    if not key or "/" not in key:
        return None
    return key.split("/", 1)[1], response.get("utter_action") or f"utter_{key}", float(
        response.get("confidence") or 0.0
    )


class ActionRepondreFaq(Action):
    def name(self) -> str:
        return "action_repondre_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = selected_answer(tracker.latest_message)
        if answer is None or answer[2] < get_settings().seuil_confiance_faq:
            # Not sure which answer fits: that is a misunderstanding, not a guess.
            return [FollowupAction("action_gerer_incompris")]
        topic, response, _ = answer
        dispatcher.utter_message(response=response, buttons=VOTE_BUTTONS)
        return [
            SlotSet("derniere_faq", topic),
            SlotSet("dernier_message_faq", tracker.latest_message.get("text")),
            SlotSet("id_derniere_reponse", uuid.uuid4().hex),
            SlotSet("offre_escalade", None),
        ]
