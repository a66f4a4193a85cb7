"""Live-chat actions with a real dispatcher, trackers built in code and a real SQLite database."""

from datetime import datetime, timezone

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_store
from actions.conseiller import (
    ActionEnregistrerNoteEchange,
    ActionRelayerMessageConseiller,
    ActionSynchroniserConseiller,
    ActionTransfererConseiller,
    transcript_from_events,
)
from actions.persistence import get_engine
from actions.settings import PROJECT_ROOT, get_settings

OPEN_TIME = "2026-12-01T10:00:00+01:00"
CLOSED_TIME = "2026-12-05T11:00:00+01:00"


@pytest.fixture(autouse=True)
def app_db(tmp_path, monkeypatch):
    config = tmp_path / "live_chat.yml"
    settings = yaml.safe_load((PROJECT_ROOT / "conf" / "live_chat.yml").read_text(encoding="utf-8"))
    settings["delai_attente_conseiller_minutes"] = 5
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("ASSISTANT_NOW", OPEN_TIME)
    monkeypatch.setenv("LIVE_CHAT_CONFIG", str(config))
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_settings.cache_clear()
    get_engine.cache_clear()


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


def test_the_transcript_keeps_user_and_assistant_texts_of_the_session_only():
    older = [user_event("ancienne session", "saluer")]
    entries = transcript_from_events([*older, *HISTORY])
    assert [(e["auteur"], e["texte"]) for e in entries] == [
        ("utilisateur", "je veux un humain"),
        ("assistant", "Un conseiller du support Chorus Pro est disponible."),
    ]
    assert entries[0]["horodatage"].startswith("2025-12-01")


async def test_accepting_queues_the_conversation_and_tells_the_position():
    messages, slots, events = await run(
        ActionTransfererConseiller(), make_tracker(text="oui", intent="affirmer", history=HISTORY)
    )
    handoff = handoff_store.open_handoff_for("conv-1")
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


async def test_accepting_after_closing_time_offers_a_written_request(monkeypatch):
    monkeypatch.setenv("ASSISTANT_NOW", CLOSED_TIME)
    get_settings.cache_clear()
    messages, slots, _ = await run(ActionTransfererConseiller(), make_tracker(text="oui", intent="affirmer"))
    assert messages[0]["response"] == "utter_chat_ferme"
    assert slots["offre_escalade"] == "sollicitation"
    assert handoff_store.open_handoff_for("conv-1") is None


async def queued() -> str:
    _, slots, _ = await run(ActionTransfererConseiller(), make_tracker(text="oui", intent="affirmer"))
    return slots["id_transfert"]


async def test_while_waiting_user_messages_are_kept_and_the_assistant_is_silent():
    handoff_id = await queued()
    messages, slots, _ = await run(
        ActionRelayerMessageConseiller(),
        make_tracker({"id_transfert": handoff_id}, text="ma facture est rejetée", intent="faq"),
    )
    assert messages == [] and slots == {}
    assert [m.text for m in handoff_store.messages(int(handoff_id))] == ["ma facture est rejetée"]


async def test_socketio_users_see_the_advisor_join_write_and_leave_then_rate():
    handoff_id = await queued()
    handoff_store.take(int(handoff_id), "alice", "Alice")
    handoff_store.add_advisor_message(int(handoff_id), "alice", "Bonjour, je regarde votre dossier.")
    sync = ActionSynchroniserConseiller()
    external = {"text": "EXTERNAL: EXTERNAL_evenement_conseiller", "intent": "EXTERNAL_evenement_conseiller",
                "external": True}
    messages, slots, _ = await run(sync, make_tracker({"id_transfert": handoff_id}, **external))
    assert (messages[0]["response"], messages[0]["nom"]) == ("utter_conseiller_rejoint", "Alice")
    assert contract(messages[1]) == {
        "text": "Bonjour, je regarde votre dossier.", "conseiller": {"evenement": "message", "nom": "Alice"},
    }
    assert slots == {"nom_conseiller": "Alice"}

    handoff_store.add_advisor_message(int(handoff_id), "alice", "C'est réglé.")
    handoff_store.close(int(handoff_id), "alice")
    joined = {"id_transfert": handoff_id, "nom_conseiller": "Alice", "nb_incompris": 1}
    messages, slots, _ = await run(sync, make_tracker(joined, **external))
    assert [m.get("response") for m in messages] == [None, "utter_conseiller_parti", "utter_noter_echange"]
    assert contract(messages[0])["text"] == "C'est réglé."
    assert slots == {"id_transfert": None, "nom_conseiller": None, "nb_incompris": 0, "nb_votes_negatifs": 0}

    rating = {"entities": [{"entity": "note_echange", "value": "4"}], "intent": "noter_echange"}
    messages, _, _ = await run(ActionEnregistrerNoteEchange(), make_tracker(text='/noter_echange', **rating))
    assert messages[0]["response"] == "utter_note_echange_merci"
    assert handoff_store.get_handoff(int(handoff_id)).rating == 4


async def test_rest_callers_get_advisor_news_with_their_next_message_or_poll():
    handoff_id = await queued()
    handoff_store.take(int(handoff_id), "alice", "Alice")
    handoff_store.add_advisor_message(int(handoff_id), "alice", "Bonjour !")
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
    assert handoff_store.messages(int(handoff_id))[0].author == "conseiller"  # the poll is not stored


async def test_nobody_in_time_gives_the_user_back_to_the_assistant_with_an_offer(monkeypatch):
    handoff_id = await queued()
    monkeypatch.setenv("ASSISTANT_NOW", CLOSED_TIME)
    get_settings.cache_clear()
    messages, slots, _ = await run(
        ActionRelayerMessageConseiller(), make_tracker({"id_transfert": handoff_id}, text="toujours là ?")
    )
    assert [m["response"] for m in messages] == [
        "utter_conseiller_attente_chat_ferme", "utter_proposer_sollicitation_apres_attente",
    ]
    assert slots["id_transfert"] is None and slots["offre_escalade"] == "sollicitation"
    handoff = handoff_store.get_handoff(int(handoff_id), with_messages=True)
    assert handoff.status == "abandonnee" and handoff.messages[0].text == "toujours là ?"


async def test_a_rating_out_of_range_is_refused_with_the_buttons_again():
    rating = {"entities": [{"entity": "note_echange", "value": "9"}], "intent": "noter_echange"}
    messages, _, _ = await run(ActionEnregistrerNoteEchange(), make_tracker(text="/noter_echange", **rating))
    assert messages[0]["response"] == "utter_note_echange_invalide"
