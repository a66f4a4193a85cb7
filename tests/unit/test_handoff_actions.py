"""Live-chat actions with a real dispatcher, trackers built in code and a real SQLite database."""

from datetime import datetime, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionEnregistrerNoteEchange,
    ActionRelayerMessageConseiller,
    ActionSynchroniserConseiller,
    ActionTransfererConseiller,
)
from assistance import handoffs
from tests.unit.conftest import CLOSED_TIME, at


@pytest.fixture(autouse=True)
def db(core):
    return core.db


def user_event(text, intent, channel="socketio", external=False):
    return {
        "event": "user", "text": text, "timestamp": 1_764_580_000.0, "input_channel": channel,
        "metadata": {"is_external": True} if external else {},
        "parse_data": {"intent": {"name": intent}, "entities": []},
    }


def make_tracker(slots=None, *, text="bonjour", intent="faq", channel="socketio", external=False,
                 entities=None, history=()):
    latest = user_event(text, intent, channel, external)
    latest["parse_data"]["entities"] = entities or []
    events = [*history, latest]
    return Tracker(
        sender_id="conv-1",
        slots={"profil": "fournisseur", "connecte": True, "motif_escalade": "incompris", **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent}, "entities": entities or []},
        events=events, paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen",
    )


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}, events


def contract(message):
    return message["custom"]["data"]


HISTORY = [
    {"event": "session_started"},
    user_event("je veux un humain", "demander_conseiller"),
    {"event": "bot", "text": "Un conseiller du support Chorus Pro est disponible.", "timestamp": 1.0},
    user_event("EXTERNAL: EXTERNAL_evenement_conseiller", "EXTERNAL_evenement_conseiller", external=True),
]


async def test_accepting_queues_the_conversation_and_tells_the_position(db):
    messages, slots, events = await run(
        ActionTransfererConseiller(), make_tracker(text="oui", intent="affirmer", history=HISTORY)
    )
    handoff = handoffs.open_handoff_for(db, "conv-1")
    assert handoff.motif == "incompris" and handoff.profil == "fournisseur"
    assert handoff.context["connecte"] is True and handoff.channel == "socketio"
    assert [e["texte"] for e in handoff.transcript][0] == "je veux un humain"
    assert messages[0]["response"] == "utter_conseiller_attente_sans_estimation"
    assert messages[0]["position"] == 1 and messages[0]["delai"] == 5
    assert slots == {"offre_escalade": None, "id_transfert": str(handoff.id), "nom_conseiller": None}
    reminder = next(e for e in events if e["event"] == "reminder")
    assert reminder["name"] == f"attente_conseiller_{handoff.id}"
    assert reminder["intent"] == "EXTERNAL_evenement_conseiller" and reminder["kill_on_user_msg"] is False
    due = datetime.fromisoformat(reminder["date_time"]) - datetime.now(timezone.utc)
    assert 290 < due.total_seconds() < 310


async def test_accepting_after_closing_time_offers_a_written_request(db, core):
    at(core, CLOSED_TIME)
    messages, slots, _ = await run(ActionTransfererConseiller(), make_tracker(text="oui", intent="affirmer"))
    assert messages[0]["response"] == "utter_chat_ferme"
    assert slots["offre_escalade"] == "sollicitation"
    assert handoffs.open_handoff_for(db, "conv-1") is None


async def queued() -> str:
    _, slots, _ = await run(ActionTransfererConseiller(), make_tracker(text="oui", intent="affirmer"))
    return slots["id_transfert"]


async def test_while_waiting_user_messages_are_kept_and_the_assistant_is_silent(db):
    handoff_id = await queued()
    messages, slots, _ = await run(
        ActionRelayerMessageConseiller(),
        make_tracker({"id_transfert": handoff_id}, text="ma facture est rejetée", intent="faq"),
    )
    assert messages == [] and slots == {}
    assert [m.text for m in handoffs.messages(db, int(handoff_id))] == ["ma facture est rejetée"]


async def test_socketio_users_see_the_advisor_join_write_and_leave_then_rate(db):
    handoff_id = await queued()
    handoffs.take(db, int(handoff_id), "alice", "Alice")
    handoffs.add_advisor_message(db, int(handoff_id), "alice", "Bonjour, je regarde votre dossier.")
    sync = ActionSynchroniserConseiller()
    external = {"text": "EXTERNAL: EXTERNAL_evenement_conseiller", "intent": "EXTERNAL_evenement_conseiller",
                "external": True}
    messages, slots, _ = await run(sync, make_tracker({"id_transfert": handoff_id}, **external))
    assert (messages[0]["response"], messages[0]["nom"]) == ("utter_conseiller_rejoint", "Alice")
    sent_id = contract(messages[1])["conseiller"]["id"]
    assert contract(messages[1]) == {
        "text": "Bonjour, je regarde votre dossier.",
        "conseiller": {"evenement": "message", "nom": "Alice", "id": sent_id},
    }
    assert slots == {"nom_conseiller": "Alice"}

    handoffs.add_advisor_message(db, int(handoff_id), "alice", "C'est réglé.")
    handoffs.close(db, int(handoff_id), "alice")
    joined = {"id_transfert": handoff_id, "nom_conseiller": "Alice", "nb_incompris": 1}
    messages, slots, _ = await run(sync, make_tracker(joined, **external))
    assert [m.get("response") for m in messages] == [None, "utter_conseiller_parti", "utter_noter_echange"]
    assert contract(messages[0])["text"] == "C'est réglé."
    assert slots == {"id_transfert": None, "nom_conseiller": None, "nb_incompris": 0, "nb_votes_negatifs": 0}

    rating = {"entities": [{"entity": "note_echange", "value": "4"}], "intent": "noter_echange"}
    messages, _, _ = await run(ActionEnregistrerNoteEchange(), make_tracker(text='/noter_echange', **rating))
    assert messages[0]["response"] == "utter_note_echange_merci"
    assert handoffs.get_handoff(db, int(handoff_id)).rating == 4


async def test_rest_callers_get_advisor_news_with_their_next_message_or_poll(db):
    handoff_id = await queued()
    handoffs.take(db, int(handoff_id), "alice", "Alice")
    handoffs.add_advisor_message(db, int(handoff_id), "alice", "Bonjour !")
    slots = {"id_transfert": handoff_id}
    external = make_tracker(
        slots, text="EXTERNAL: x", intent="EXTERNAL_evenement_conseiller", channel="rest", external=True
    )
    messages, _, _ = await run(ActionSynchroniserConseiller(), external)
    assert messages == []  # a REST caller cannot be pushed to: nothing is spent
    poll = make_tracker(slots, text="/relever_messages_conseiller", intent="relever_messages_conseiller",
                        channel="rest")
    messages, _, _ = await run(ActionRelayerMessageConseiller(), poll)
    assert [m.get("response") or contract(m)["text"] for m in messages] == [
        "utter_conseiller_rejoint", "Bonjour !",
    ]
    assert handoffs.messages(db, int(handoff_id))[0].author == "conseiller"  # the poll is not stored


async def test_nobody_in_time_gives_the_user_back_to_the_assistant_with_an_offer(db, core):
    handoff_id = await queued()
    at(core, CLOSED_TIME)
    messages, slots, _ = await run(
        ActionRelayerMessageConseiller(), make_tracker({"id_transfert": handoff_id}, text="toujours là ?")
    )
    assert [m["response"] for m in messages] == [
        "utter_conseiller_attente_chat_ferme", "utter_proposer_sollicitation_apres_attente",
    ]
    assert slots["id_transfert"] is None and slots["offre_escalade"] == "sollicitation"
    handoff = handoffs.get_handoff(db, int(handoff_id), with_messages=True)
    assert handoff.status == "abandonnee" and handoff.messages[0].text == "toujours là ?"


async def test_a_rating_out_of_range_is_refused_with_the_buttons_again(db):
    rating = {"entities": [{"entity": "note_echange", "value": "9"}], "intent": "noter_echange"}
    messages, _, _ = await run(ActionEnregistrerNoteEchange(), make_tracker(text="/noter_echange", **rating))
    assert messages[0]["response"] == "utter_note_echange_invalide"
