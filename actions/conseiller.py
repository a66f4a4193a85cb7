"""Live-chat handoff to a human advisor (placeholder until the handoff desk exists)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionTransfererConseiller(Action):
    def name(self) -> str:
        return "action_transferer_conseiller"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_transfert_conseiller")
        return [SlotSet("offre_escalade", None)]
