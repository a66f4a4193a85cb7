"""Handoff queue and messages on a real SQLite database: take, close, expiry, estimates."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update

from assistance import handoffs
from assistance.db import utcnow
from assistance.db.models import Handoff
from assistance.handoffs import HandoffError
from assistance.schedule import load_schedule
from tests.unit.conftest import CLOSED_TIME, at


@pytest.fixture
def db(core):
    return core.db


def new_handoff(db, conversation_id: str = "conv-1", **overrides):
    values = dict(
        conversation_id=conversation_id, motif="incompris", profil="fournisseur",
        context={"connecte": True, "structure": "ACME"}, channel="rest",
        transcript=[{"auteur": "utilisateur", "texte": "bonjour", "horodatage": None}],
    )
    values.update(overrides)
    return handoffs.create_handoff(db, **values)


def expire(core):
    return handoffs.expire_overdue(core.db, core.schedule(), core.now())


def age(db, handoff_id: int, **delta) -> None:
    """Pretend the handoff was created earlier."""
    with db.session() as session:
        session.execute(
            update(Handoff).where(Handoff.id == handoff_id).values(created_at=utcnow() - timedelta(**delta))
        )


def test_a_handoff_is_queued_with_its_context_and_reused_while_open(db):
    handoff, created = new_handoff(db)
    assert created and handoff.status == "en_attente" and handoff.queue_position == 1
    assert handoff.context == {"connecte": True, "structure": "ACME"}
    assert handoff.transcript[0]["texte"] == "bonjour"
    again, created_again = new_handoff(db)
    assert not created_again and again.id == handoff.id


def test_queue_positions_follow_arrival_and_shrink_when_one_is_taken(db):
    first, _ = new_handoff(db, "a")
    second, _ = new_handoff(db, "b")
    third, _ = new_handoff(db, "c")
    assert [handoffs.queue_info(db, h.id).position for h in (first, second, third)] == [1, 2, 3]
    handoffs.take(db, first.id, "alice", "Alice")
    assert handoffs.queue_info(db, third.id).position == 2


def test_only_one_of_two_advisors_taking_at_once_wins(db):
    handoff, _ = new_handoff(db)
    handoffs.get_handoff(db, handoff.id)  # tables exist before the race

    def attempt(login):
        try:
            return handoffs.take(db, handoff.id, login, login.title()).advisor_login
        except HandoffError as exc:
            return exc.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(attempt, ["alice", "bruno"]))
    assert sorted(outcomes, key=len) in (["alice", "deja_pris"], ["bruno", "deja_pris"])
    winner = next(o for o in outcomes if o != "deja_pris")
    assert handoffs.get_handoff(db, handoff.id).advisor_login == winner


def test_messages_both_ways_and_each_advisor_message_is_delivered_once(db):
    handoff, _ = new_handoff(db)
    handoffs.add_user_message(db, handoff.id, "mon dépôt de facture échoue")
    handoffs.take(db, handoff.id, "alice", "Alice")
    handoffs.add_advisor_message(db, handoff.id, "alice", "Quel message d'erreur voyez-vous ?")
    handoffs.add_advisor_message(db, handoff.id, "alice", "Et sur quel navigateur ?")
    carried = handoffs.take_unsent(db, handoff.id, again=True)  # a REST answer
    assert [m.text for m in carried] == ["Quel message d'erreur voyez-vous ?", "Et sur quel navigateur ?"]
    assert handoffs.mark_delivered(db, [m.id for m in carried]) == 2  # the REST channel confirms
    assert handoffs.take_unsent(db, handoff.id, again=True) == []  # once into the conversation
    assert [(m.author, m.delivered) for m in handoffs.messages(db, handoff.id)] == [
        ("utilisateur", True), ("conseiller", True), ("conseiller", True),
    ]


def test_a_rest_answer_lost_with_its_replica_carries_its_advisor_messages_again(db):
    handoff, _ = new_handoff(db)
    handoffs.take(db, handoff.id, "alice", "Alice")
    first = handoffs.add_advisor_message(db, handoff.id, "alice", "Premier")[1]
    assert [m.id for m in handoffs.take_unsent(db, handoff.id, again=True)] == [first.id]
    # The replica died before confirming: the next REST turn, on any replica, carries it again.
    second = handoffs.add_advisor_message(db, handoff.id, "alice", "Second")[1]
    assert [m.id for m in handoffs.take_unsent(db, handoff.id, again=True)] == [first.id, second.id]
    assert handoffs.take_unsent(db, handoff.id) == []  # a socket.io turn waits for acknowledgements


def test_a_pushed_message_is_delivered_only_when_the_client_acknowledges_it(db):
    handoff, _ = new_handoff(db)
    handoffs.take(db, handoff.id, "alice", "Alice")
    first = handoffs.add_advisor_message(db, handoff.id, "alice", "Premier")[1]
    second = handoffs.add_advisor_message(db, handoff.id, "alice", "Second")[1]
    assert [m.id for m in handoffs.take_unsent(db, handoff.id)] == [first.id, second.id]
    assert [(m.text, nom) for m, nom in handoffs.undelivered(db, "conv-1")] == [
        ("Premier", "Alice"), ("Second", "Alice"),
    ]
    assert handoffs.mark_delivered(db, [first.id]) == 1
    assert handoffs.mark_delivered(db, [first.id]) == 0  # acknowledged twice: counted once
    assert [m.text for m, _ in handoffs.undelivered(db, "conv-1")] == ["Second"]
    assert handoffs.take_unsent(db, handoff.id) == []  # not into the tracker again


def test_only_the_advisor_who_took_it_can_write_and_close(db):
    handoff, _ = new_handoff(db)
    with pytest.raises(HandoffError) as not_taken:
        handoffs.add_advisor_message(db, handoff.id, "alice", "bonjour")
    assert not_taken.value.code == "pas_en_cours"
    handoffs.take(db, handoff.id, "alice", "Alice")
    for action in (
        lambda: handoffs.add_advisor_message(db, handoff.id, "bruno", "bonjour"),
        lambda: handoffs.close(db, handoff.id, "bruno"),
    ):
        with pytest.raises(HandoffError) as other:
            action()
        assert other.value.code == "autre_conseiller"
    closed = handoffs.close(db, handoff.id, "alice")
    assert closed.status == "cloturee" and closed.ended_at is not None
    assert handoffs.close(db, handoff.id, "alice").ended_at == closed.ended_at  # a retry: no change
    with pytest.raises(HandoffError):
        handoffs.close(db, handoff.id, "bruno")


def test_advisor_messages_must_have_text_and_a_sensible_length(db):
    handoff, _ = new_handoff(db)
    handoffs.take(db, handoff.id, "alice", "Alice")
    for text, code in (("   ", "message_vide"), ("x" * 2001, "message_trop_long")):
        with pytest.raises(HandoffError) as refused:
            handoffs.add_advisor_message(db, handoff.id, "alice", text)
        assert refused.value.code == code
    assert handoffs.messages(db, handoff.id) == []


def test_user_messages_are_kept_verbatim_even_long_or_hostile(db):
    handoff, _ = new_handoff(db)
    hostile = "<img src=x onerror=alert(1)> '; DROP TABLE handoffs; -- 😀" + "é" * 10_000
    handoffs.add_user_message(db, handoff.id, hostile)
    assert handoffs.messages(db, handoff.id)[0].text == hostile


def test_a_waiting_handoff_is_given_up_after_the_delay_or_when_the_chat_closes(db, core):
    fresh, _ = new_handoff(db, "fresh")
    old, _ = new_handoff(db, "old")
    age(db, old.id, minutes=6)
    assert handoffs.due_reason(handoffs.get_handoff(db, fresh.id), core.schedule(), core.now()) is None
    assert [h.id for h in expire(core)] == [old.id]
    gone = handoffs.get_handoff(db, old.id)
    assert (gone.status, gone.end_reason) == ("abandonnee", "delai_depasse")
    with pytest.raises(HandoffError) as late:
        handoffs.take(db, old.id, "alice", "Alice")
    assert late.value.code == "plus_en_attente"

    at(core, CLOSED_TIME)
    assert [h.id for h in expire(core)] == [fresh.id]
    assert handoffs.get_handoff(db, fresh.id).end_reason == "chat_ferme"


def test_a_handoff_taken_in_time_is_never_given_up(db, core):
    handoff, _ = new_handoff(db)
    handoffs.take(db, handoff.id, "alice", "Alice")
    age(db, handoff.id, hours=2)
    assert expire(core) == []
    assert handoffs.get_handoff(db, handoff.id).status == "en_cours"


def test_the_wait_estimate_comes_from_recent_takes_and_grows_with_the_position(db):
    assert handoffs.wait_estimator(db)(1) is None  # no history yet
    for name, minutes, place in (("a", 2, 1), ("b", 8, 2), ("c", 3, 1)):
        handoff, _ = new_handoff(db, name)
        with db.session() as session:
            session.execute(
                update(Handoff).where(Handoff.id == handoff.id).values(
                    status="cloturee", queue_position=place, created_at=utcnow() - timedelta(minutes=30),
                    taken_at=utcnow() - timedelta(minutes=30 - minutes),
                )
            )
    # Waits per place in the queue: 2, 4 and 3 minutes; the median is 3.
    estimate = handoffs.wait_estimator(db)
    assert estimate(1) == timedelta(minutes=3)
    assert estimate(2) == timedelta(minutes=6)
    assert handoffs.QueueInfo(1, timedelta(seconds=61)).estimated_minutes == 2


def test_the_rating_goes_to_the_last_closed_handoff_once(db):
    assert handoffs.record_rating(db, "conv-1", 4) == "aucun"
    handoff, _ = new_handoff(db)
    handoffs.take(db, handoff.id, "alice", "Alice")
    handoffs.close(db, handoff.id, "alice")
    assert handoffs.record_rating(db, "conv-1", 4) == "ok"
    assert handoffs.record_rating(db, "conv-1", 1) == "deja_note"
    assert handoffs.get_handoff(db, handoff.id).rating == 4


def test_the_waiting_delay_defaults_to_ten_minutes(tmp_path, core):
    bare = tmp_path / "bare.yml"
    bare.write_text("ouverture: '08:30'\nfermeture: '18:30'\njours: [lundi]\n", encoding="utf-8")
    assert load_schedule(bare).waiting_delay == timedelta(minutes=10)
    assert core.schedule().waiting_delay == timedelta(minutes=5)


def test_two_requests_of_one_conversation_at_once_make_one_handoff(db):
    handoffs.list_handoffs(db)  # tables exist before the race

    def attempt(_):
        return new_handoff(db, "conv-race")[0].id

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(attempt, range(8)))
    assert len(ids) == 1
    assert len(handoffs.list_handoffs(db, conversation_id="conv-race")) == 1


def test_a_client_opening_too_many_handoffs_is_refused(db):
    limit = handoffs.HandoffLimit(per_conversation=2, per_client=3, window=timedelta(hours=1))

    def opened_and_closed(name: str, key: str) -> None:
        handoff, _ = new_handoff(db, name, client_key=key, limit=limit)
        handoffs.take(db, handoff.id, "alice", "Alice")
        handoffs.close(db, handoff.id, "alice")

    opened_and_closed("a", "k1")
    opened_and_closed("a", "k1")
    with pytest.raises(HandoffError) as refused:  # the same conversation a third time
        new_handoff(db, "a", client_key="k1", limit=limit)
    assert refused.value.code == "trop_de_demandes"
    opened_and_closed("b", "k1")  # another conversation of the same address: its third
    with pytest.raises(HandoffError):
        new_handoff(db, "c", client_key="k1", limit=limit)
    assert new_handoff(db, "d", client_key="k2", limit=limit)[1]  # another address is not limited


def test_every_advisor_command_can_be_retried_without_a_duplicate(db):
    handoff, _ = new_handoff(db)
    taken = handoffs.take(db, handoff.id, "alice", "Alice")
    assert handoffs.take(db, handoff.id, "alice", "Alice").taken_at == taken.taken_at
    first = handoffs.add_advisor_message(db, handoff.id, "alice", "Bonjour", key="k-0001-abcd")[1]
    again = handoffs.add_advisor_message(db, handoff.id, "alice", "Bonjour", key="k-0001-abcd")[1]
    assert again.id == first.id
    assert [m.text for m in handoffs.messages(db, handoff.id)] == ["Bonjour"]
    handoffs.add_advisor_message(db, handoff.id, "alice", "Bonjour")  # no key: a new message
    assert len(handoffs.messages(db, handoff.id)) == 2
