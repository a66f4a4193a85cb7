"""Written requests to the support (« sollicitations ») — placeholder until the form exists."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionDemarrerSollicitation(Action):
    def name(self) -> str:
        return "action_demarrer_sollicitation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_comment_envoyer_sollicitation")
        return [SlotSet("offre_escalade", None)]
