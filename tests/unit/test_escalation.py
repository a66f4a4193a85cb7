"""The offer of a human: when it is made (thresholds), and what it offers (the clock)."""

from dataclasses import replace

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import ActionEnregistrerVote, ActionGererIncompris, make_offer
from tests.unit.conftest import CLOSED_TIME, at


def tracker(slots=None, *, intent="nlu_fallback", events=()):
    return Tracker(
        sender_id="conv-1", slots=dict(slots or {}), latest_message={"intent": {"name": intent}},
        events=list(events), paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen",
    )


def slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def run(action, given):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, given, {})
    return [m["response"] for m in dispatcher.messages], dispatcher.messages, slots(events)


def test_the_offer_is_a_human_while_the_chat_is_open_and_resets_the_counters(core):
    dispatcher = CollectingDispatcher()
    assert slots(make_offer(dispatcher, "incompris")) == {
        "offre_escalade": "conseiller", "motif_escalade": "incompris",
        "nb_incompris": 0, "nb_votes_negatifs": 0,
    }
    assert [m["response"] for m in dispatcher.messages] == ["utter_proposer_conseiller"]


def test_outside_opening_hours_the_offer_says_when_the_chat_reopens(core):
    at(core, CLOSED_TIME)  # a Saturday at 11:00
    dispatcher = CollectingDispatcher()
    assert slots(make_offer(dispatcher, "vote_negatif"))["offre_escalade"] == "sollicitation"
    assert dispatcher.messages[0]["response"] == "utter_chat_ferme"
    assert dispatcher.messages[0]["reouverture"] == "lundi à 8 h 30"


async def test_the_second_misunderstanding_makes_the_offer(core):
    said, _, first = await run(ActionGererIncompris(), tracker())
    assert said == ["utter_incompris"] and first["nb_incompris"] == 1
    said, _, second = await run(ActionGererIncompris(), tracker({"nb_incompris": 1}))
    assert said == ["utter_incompris_repete", "utter_proposer_conseiller"]
    assert second["offre_escalade"] == "conseiller" and second["nb_incompris"] == 0


async def test_an_out_of_scope_question_says_what_the_assistant_covers(core):
    said, _, _ = await run(ActionGererIncompris(), tracker(intent="hors_perimetre"))
    assert said == ["utter_hors_perimetre"]


async def test_the_misunderstanding_threshold_is_a_setting(core):
    core.settings = replace(core.settings, misunderstanding_threshold=3)
    said, _, counted = await run(ActionGererIncompris(), tracker({"nb_incompris": 1}))
    assert said == ["utter_incompris"] and counted["nb_incompris"] == 2


FAQ_ANSWER = [
    {"event": "user", "text": "comment créer un compte ?", "timestamp": 1.0},
    {"event": "bot", "text": "…", "timestamp": 1.5, "metadata": {"utter_action": "utter_faq/creer_compte"}},
]


@pytest.mark.parametrize(("threshold", "expected"), [
    (1, ["utter_vote_negatif_regret", "utter_proposer_conseiller"]),
    (2, ["utter_vote_negatif_regret", "utter_escalade_declinee"]),
])
async def test_one_thumbs_down_makes_the_offer_unless_the_threshold_says_otherwise(core, threshold, expected):
    core.settings = replace(core.settings, negative_vote_threshold=threshold)
    said, _, _ = await run(ActionEnregistrerVote(), tracker(intent="vote_negatif", events=FAQ_ANSWER))
    assert said == expected


async def test_a_second_vote_on_the_same_answer_is_not_counted(core):
    given = tracker(intent="vote_positif", events=FAQ_ANSWER)
    said, _, _ = await run(ActionEnregistrerVote(), given)
    assert said == ["utter_vote_merci"]
    said, _, _ = await run(ActionEnregistrerVote(), tracker(intent="vote_negatif", events=FAQ_ANSWER))
    assert said == ["utter_vote_deja_enregistre"]
