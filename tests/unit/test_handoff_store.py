"""Handoff queue and messages on a real SQLite database: take, close, expiry, estimates."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from actions import handoff_store
from actions.handoff_store import HandoffError
from actions.models import Handoff
from actions.persistence import get_engine, session_scope, utcnow
from actions.settings import PROJECT_ROOT, get_settings

OPEN_TIME = "2026-12-01T10:00:00+01:00"  # a Tuesday morning: live chat open
CLOSED_TIME = "2026-12-05T11:00:00+01:00"  # a Saturday


@pytest.fixture
def live_chat_config(tmp_path) -> Path:
    path = tmp_path / "live_chat.yml"
    text = (PROJECT_ROOT / "conf" / "live_chat.yml").read_text(encoding="utf-8")
    path.write_text(text + "\ndelai_attente_conseiller_minutes: 5\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def app_db(tmp_path, monkeypatch, live_chat_config):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("ASSISTANT_NOW", OPEN_TIME)
    monkeypatch.setenv("LIVE_CHAT_CONFIG", str(live_chat_config))
    get_settings.cache_clear()
    get_engine.cache_clear()  # the engine is cached for DATABASE_URL's first value
    yield
    get_settings.cache_clear()
    get_engine.cache_clear()


def new_handoff(conversation_id: str = "conv-1", **overrides):
    values = dict(
        conversation_id=conversation_id, motif="incompris", profil="fournisseur",
        context={"connecte": True, "structure": "ACME"}, channel="rest",
        transcript=[{"auteur": "utilisateur", "texte": "bonjour", "horodatage": None}],
    )
    values.update(overrides)
    return handoff_store.create_handoff(**values)


def age(handoff_id: int, **delta) -> None:
    """Pretend the handoff was created earlier."""
    with session_scope() as session:
        session.execute(
            update(Handoff).where(Handoff.id == handoff_id).values(created_at=utcnow() - timedelta(**delta))
        )


def test_a_handoff_is_queued_with_its_context_and_reused_while_open():
    handoff, created = new_handoff()
    assert created and handoff.status == "en_attente" and handoff.queue_position == 1
    assert handoff.context == {"connecte": True, "structure": "ACME"}
    assert handoff.transcript[0]["texte"] == "bonjour"
    again, created_again = new_handoff()
    assert not created_again and again.id == handoff.id


def test_queue_positions_follow_arrival_and_shrink_when_one_is_taken():
    first, _ = new_handoff("a")
    second, _ = new_handoff("b")
    third, _ = new_handoff("c")
    assert [handoff_store.queue_info(h.id).position for h in (first, second, third)] == [1, 2, 3]
    handoff_store.take(first.id, "alice", "Alice")
    assert handoff_store.queue_info(third.id).position == 2


def test_only_one_of_two_advisors_taking_at_once_wins():
    handoff, _ = new_handoff()
    handoff_store.get_handoff(handoff.id)  # tables exist before the race

    def attempt(login):
        try:
            return handoff_store.take(handoff.id, login, login.title()).advisor_login
        except HandoffError as exc:
            return exc.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(attempt, ["alice", "bruno"]))
    assert sorted(outcomes, key=len) in (["alice", "deja_pris"], ["bruno", "deja_pris"])
    winner = next(o for o in outcomes if o != "deja_pris")
    assert handoff_store.get_handoff(handoff.id).advisor_login == winner


def test_messages_both_ways_and_each_advisor_message_is_delivered_once():
    handoff, _ = new_handoff()
    handoff_store.add_user_message(handoff.id, "mon dépôt de facture échoue")
    handoff_store.take(handoff.id, "alice", "Alice")
    handoff_store.add_advisor_message(handoff.id, "alice", "Quel message d'erreur voyez-vous ?")
    handoff_store.add_advisor_message(handoff.id, "alice", "Et sur quel navigateur ?")
    assert [m.text for m in handoff_store.claim_undelivered(handoff.id)] == [
        "Quel message d'erreur voyez-vous ?", "Et sur quel navigateur ?",
    ]
    assert handoff_store.claim_undelivered(handoff.id) == []
    assert [(m.author, m.delivered) for m in handoff_store.messages(handoff.id)] == [
        ("utilisateur", True), ("conseiller", True), ("conseiller", True),
    ]


def test_only_the_advisor_who_took_it_can_write_and_close():
    handoff, _ = new_handoff()
    with pytest.raises(HandoffError) as not_taken:
        handoff_store.add_advisor_message(handoff.id, "alice", "bonjour")
    assert not_taken.value.code == "pas_en_cours"
    handoff_store.take(handoff.id, "alice", "Alice")
    for action in (
        lambda: handoff_store.add_advisor_message(handoff.id, "bruno", "bonjour"),
        lambda: handoff_store.close(handoff.id, "bruno"),
    ):
        with pytest.raises(HandoffError) as other:
            action()
        assert other.value.code == "autre_conseiller"
    closed = handoff_store.close(handoff.id, "alice")
    assert closed.status == "cloturee" and closed.ended_at is not None
    with pytest.raises(HandoffError):
        handoff_store.close(handoff.id, "alice")


def test_advisor_messages_must_have_text_and_a_sensible_length():
    handoff, _ = new_handoff()
    handoff_store.take(handoff.id, "alice", "Alice")
    for text, code in (("   ", "message_vide"), ("x" * 2001, "message_trop_long")):
        with pytest.raises(HandoffError) as refused:
            handoff_store.add_advisor_message(handoff.id, "alice", text)
        assert refused.value.code == code
    assert handoff_store.messages(handoff.id) == []


def test_user_messages_are_kept_verbatim_even_long_or_hostile():
    handoff, _ = new_handoff()
    hostile = "<img src=x onerror=alert(1)> '; DROP TABLE handoffs; -- 😀" + "é" * 10_000
    handoff_store.add_user_message(handoff.id, hostile)
    assert handoff_store.messages(handoff.id)[0].text == hostile


def test_a_waiting_handoff_is_given_up_after_the_delay_or_when_the_chat_closes(monkeypatch):
    fresh, _ = new_handoff("fresh")
    old, _ = new_handoff("old")
    age(old.id, minutes=6)
    assert handoff_store.due_reason(handoff_store.get_handoff(fresh.id)) is None
    assert [h.id for h in handoff_store.expire_overdue()] == [old.id]
    gone = handoff_store.get_handoff(old.id)
    assert (gone.status, gone.end_reason) == ("abandonnee", "delai_depasse")
    with pytest.raises(HandoffError) as late:
        handoff_store.take(old.id, "alice", "Alice")
    assert late.value.code == "plus_en_attente"

    monkeypatch.setenv("ASSISTANT_NOW", CLOSED_TIME)
    get_settings.cache_clear()
    assert [h.id for h in handoff_store.expire_overdue()] == [fresh.id]
    assert handoff_store.get_handoff(fresh.id).end_reason == "chat_ferme"


def test_a_handoff_taken_in_time_is_never_given_up():
    handoff, _ = new_handoff()
    handoff_store.take(handoff.id, "alice", "Alice")
    age(handoff.id, hours=2)
    assert handoff_store.expire_overdue() == []
    assert handoff_store.get_handoff(handoff.id).status == "en_cours"


def test_the_wait_estimate_comes_from_recent_takes_and_grows_with_the_position():
    assert handoff_store.estimate_wait(1) is None  # no history yet
    for name, minutes, place in (("a", 2, 1), ("b", 8, 2), ("c", 3, 1)):
        handoff, _ = new_handoff(name)
        with session_scope() as session:
            session.execute(
                update(Handoff).where(Handoff.id == handoff.id).values(
                    status="cloturee", queue_position=place, created_at=utcnow() - timedelta(minutes=30),
                    taken_at=utcnow() - timedelta(minutes=30 - minutes),
                )
            )
    # Waits per place in the queue: 2, 4 and 3 minutes; the median is 3.
    assert handoff_store.estimate_wait(1) == timedelta(minutes=3)
    assert handoff_store.estimate_wait(2) == timedelta(minutes=6)
    assert handoff_store.QueueInfo(1, timedelta(seconds=61)).estimated_minutes == 2


def test_the_rating_goes_to_the_last_closed_handoff_once():
    assert handoff_store.record_rating("conv-1", 4) == "aucun"
    handoff, _ = new_handoff()
    handoff_store.take(handoff.id, "alice", "Alice")
    handoff_store.close(handoff.id, "alice")
    assert handoff_store.record_rating("conv-1", 4) == "ok"
    assert handoff_store.record_rating("conv-1", 1) == "deja_note"
    assert handoff_store.get_handoff(handoff.id).rating == 4


def test_the_full_transcript_keeps_the_assistant_part_and_the_live_chat():
    handoff, _ = new_handoff()
    handoff_store.add_user_message(handoff.id, "ma facture est rejetée")
    handoff_store.take(handoff.id, "alice", "Alice")
    handoff_store.add_advisor_message(handoff.id, "alice", "Je regarde.")
    handoff_store.close(handoff.id, "alice")
    entries = handoff_store.latest_transcript("conv-1")
    assert [e["auteur"] for e in entries] == ["utilisateur", "utilisateur", "conseiller"]
    assert handoff_store.transcript_as_text(entries) == (
        "Usager : bonjour\nUsager : ma facture est rejetée\nConseiller : Je regarde."
    )
    assert handoff_store.latest_transcript("inconnue") is None


def test_the_waiting_delay_defaults_to_ten_minutes(tmp_path):
    bare = tmp_path / "bare.yml"
    bare.write_text("ouverture: '08:30'\n", encoding="utf-8")
    assert handoff_store.waiting_delay(bare) == timedelta(minutes=10)
    assert handoff_store.waiting_delay() == timedelta(minutes=5)
