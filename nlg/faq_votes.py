"""Responses from the domain, with the 👍/👎 buttons added to every FAQ answer, in French typography.

Configured in endpoints.yml (`nlg: type: nlg.faq_votes.FaqVoteNLG`). FAQ answers are sent by
Rasa's own retrieval action `utter_faq`, without a call to the action server; trainers write
answers without buttons and every variation still gets the two vote buttons.

Every response the assistant sends is generated here (domain responses, FAQ answers, and the
responses the action server names), so this is the one place where French typography is applied
(nlg/typography.py): trainers type plain spaces in the YAML. It is applied to the chosen variation
just before its placeholders are filled, so that the values (what the user typed, a draft to copy,
a catalogue label) are shown exactly as they are. Buttons an action adds itself (the catalogue's
categories) are appended by Rasa after this step and keep their labels as written.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assistance.names import FAQ_PREFIX
from nlg.typography import typeset_response

VOTE_BUTTONS = [
    {"title": "👍", "payload": "/vote_positif"},
    {"title": "👎", "payload": "/vote_negatif"},
]


class FaqVoteNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None):
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response is not None and utter_action.startswith(FAQ_PREFIX):
            response["buttons"] = [*(response.get("buttons") or []), *VOTE_BUTTONS]
        return response

    def _fill_response(
        self, response: dict[str, Any], filled_slots: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # Rasa's hook between choosing a variation (a copy) and filling its placeholders.
        return super()._fill_response(typeset_response(response), filled_slots, **kwargs)
