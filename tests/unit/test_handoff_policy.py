"""The handoff policy relays user messages while an advisor handles the conversation."""

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from policies.handoff_policy import next_action

RELAY = "action_relayer_message_conseiller"


def tracker(*events, slot: str | None = None) -> DialogueStateTracker:
    start = [ActionExecuted("action_listen")]
    if slot is not None:
        start.append(SlotSet("id_transfert", slot))
    return DialogueStateTracker.from_events("conv", [*start, *events])


def user(intent: str, text: str = "bonjour", external: bool = False) -> UserUttered:
    if external:
        return UserUttered.create_external(intent)
    return UserUttered(text, intent={"name": intent, "confidence": 1.0})


@pytest.mark.parametrize("intent", ["faq", "nlu_fallback", "saluer", "demander_conseiller", "affirmer"])
def test_every_user_message_goes_to_the_advisor_while_a_handoff_is_open(intent):
    assert next_action(tracker(user(intent), slot="12")) == RELAY


def test_without_a_handoff_the_other_policies_answer():
    assert next_action(tracker(user("faq"))) is None


def test_messages_from_the_desk_and_rasa_commands_are_not_relayed():
    assert next_action(tracker(user("EXTERNAL_evenement_conseiller", external=True), slot="12")) is None
    assert next_action(tracker(user("restart", "/restart"), slot="12")) is None


def test_a_rest_poll_is_relayed_even_without_a_handoff():
    assert next_action(tracker(user("relever_messages_conseiller", "/relever_messages_conseiller"))) == RELAY


@pytest.mark.parametrize(
    "action",
    [
        RELAY, "action_transferer_conseiller", "action_synchroniser_conseiller",
        "action_enregistrer_note_echange",
    ],
)
def test_after_a_live_chat_action_the_assistant_listens(action):
    assert next_action(tracker(user("faq"), ActionExecuted(action), slot="12")) == "action_listen"
    assert next_action(tracker(user("faq"), ActionExecuted(action))) == "action_listen"


def test_after_another_action_it_leaves_the_turn_to_the_others():
    assert next_action(tracker(user("faq"), ActionExecuted("utter_faq"), slot="12")) is None
