"""Personal data: erasure and retention through the real servers, on SQLite and PostgreSQL.

A user tells the assistant who they are (the website's metadata, a solicitation draft, a vote, a
live-chat handoff with messages); then the desk's API erases the conversation, or the retention
purge (scripts/privacy.py, as operators schedule it) deletes what is older than its retention.
Rows are counted in every table, and the conversation is read back through Rasa's HTTP API: the
full tracker (the database) and the latest session the Rasa server serves from its cache
(`/predict`, and the next message of the user).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assistance.db import utcnow
from assistance.db.models import Handoff, HandoffMessage, Sollicitation, Vote
from assistance.tracker_events import EVENTS
from tests.stack import (
    DESK_API_TOKEN,
    ROOT,
    Stack,
    http,
    payloads,
    rasa_api_headers,
    sensitive_sentences,
    texts,
)

pytestmark = pytest.mark.both_backends  # what is erased is stored: both backends

LOGIN = "jdurand-chorus"
WHO = {
    "utilisateur": {
        "connecte": True, "profil": "fournisseur", "identifiant": LOGIN,
        "structure": "Menuiserie Durand", "siret": "732 829 320 00074",
    },
}
INTRODUCTION = "Je m'appelle Jeanne Durand et mon compte est bloqué depuis hier"
CONTACT = "Mon numéro : 06 12 34 56 78, ou jeanne.durand@exemple.fr"
OLD = timedelta(days=400)  # older than every default retention


@pytest.fixture(scope="module")
def desk(stack: Stack) -> Stack:
    stack.start_desk()
    yield stack
    stack.stop("desk")


def talk(stack: Stack, sender: str) -> None:
    """Everything a user can leave behind: metadata, a draft, a vote, a handoff and messages."""
    assert "Claud.IA" in texts(stack.say(sender, "bonjour", WHO))
    stack.say(sender, "je veux écrire au support", WHO)
    stack.say(sender, "Compte et connexion", WHO)
    stack.say(sender, "Double authentification", WHO)
    stack.say(sender, "annuler", WHO)  # the unfinished draft is kept, to be resumed
    stack.say(sender, "comment créer un compte ?", WHO)
    assert "/affirmer" in payloads(stack.say(sender, "/vote_negatif", WHO))
    stack.say(sender, "/affirmer", WHO)  # queued for an advisor (the live chat is open)
    for sentence in (INTRODUCTION, CONTACT, *sensitive_sentences()):
        assert stack.say(sender, sentence, WHO) == []  # relayed to the advisor, silently


def stored(stack: Stack, sender: str) -> dict[str, int]:
    """The conversation's rows in every table."""
    with stack.core.db.session() as session:
        def count(model, condition) -> int:
            return session.scalar(sa.select(sa.func.count()).select_from(model).where(condition))

        handoff_ids = sa.select(Handoff.id).where(Handoff.conversation_id == sender).scalar_subquery()
        return {
            "events": stack.core.tracker.count(sender),
            "handoffs": count(Handoff, Handoff.conversation_id == sender),
            "handoff_messages": count(HandoffMessage, HandoffMessage.handoff_id.in_(handoff_ids)),
            "sollicitations": count(Sollicitation, Sollicitation.conversation_id == sender),
            "votes": count(Vote, Vote.conversation_id == sender),
        }


def full_tracker(stack: Stack, sender: str) -> dict:
    """Every session of the conversation, as Rasa reads it from the database."""
    return stack.tracker(sender)


def served_tracker(stack: Stack, sender: str) -> dict | None:
    """The latest session as the Rasa server serves it (its cache): `/predict`'s tracker."""
    try:
        return http("POST", f"{stack.rasa_url}/conversations/{sender}/predict", {},
                    headers=rasa_api_headers())["tracker"]
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def user_texts(tracker: dict | None) -> list[str]:
    return [e.get("text") for e in (tracker or {}).get("events", []) if e["event"] == "user"]


def leaks(tracker: dict | None) -> list[str]:
    dumped = json.dumps(tracker or {}, ensure_ascii=False).casefold()
    secrets = [LOGIN, "73282932000074", "732 829 320 00074", INTRODUCTION, "06 12 34 56 78",
               "jeanne.durand@exemple.fr", *sensitive_sentences()]
    return [s for s in secrets if s.casefold() in dumped]


def desk_delete(stack: Stack, path: str) -> tuple[int, dict]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", stack.desk_port, timeout=60)
    connection.request("DELETE", path, headers={"Authorization": f"Bearer {DESK_API_TOKEN}"})
    response = connection.getresponse()
    result = response.status, json.loads(response.read() or b"null")
    connection.close()
    return result


def test_erasing_a_conversation_leaves_nothing_of_it(desk, sender):
    stack = desk
    talk(stack, sender)
    before = stored(stack, sender)
    assert all(before.values()), before
    assert INTRODUCTION in user_texts(served_tracker(stack, sender))  # in the Rasa server's cache

    status, answer = desk_delete(stack, f"/api/conversations/{sender}")

    assert status == 200, answer
    removed = answer["removed"]
    assert removed["ready_drafts"] + removed["unfinished_drafts"] == before["sollicitations"]
    assert {k: removed[k] for k in ("events", "handoffs", "handoff_messages", "votes")} == {
        k: before[k] for k in ("events", "handoffs", "handoff_messages", "votes")
    }
    assert stored(stack, sender) == dict.fromkeys(before, 0)
    # The user writes again: the assistant answers as to a new visitor. Served from the stale
    # cache, the conversation would still be with the advisor (silence) and know the login.
    assert "Claud.IA" in texts(stack.say(sender, "bonjour"))
    assert stack.slot(sender, "identifiant") is None and stack.slot(sender, "id_transfert") is None
    assert user_texts(full_tracker(stack, sender)) == ["bonjour"]
    assert user_texts(served_tracker(stack, sender)) == ["bonjour"]
    assert leaks(full_tracker(stack, sender)) == [] and leaks(served_tracker(stack, sender)) == []


def test_erasing_from_the_command_line_counts_first_with_a_dry_run(stack, sender):
    stack.say(sender, "comment créer un compte ?", WHO)
    stack.say(sender, "/vote_positif", WHO)
    before = stored(stack, sender)
    dry = counts_in(privacy(stack, "erase", sender, "--dry-run"))
    assert (dry["events"], dry["votes"], dry["handoffs"]) == (before["events"], 1, 0)
    assert stored(stack, sender) == before
    done = privacy(stack, "erase", sender)
    assert "Deleted, for this conversation" in done
    assert stored(stack, sender) == dict.fromkeys(before, 0)
    assert served_tracker(stack, sender) is None  # Rasa: no such conversation any more


def privacy(stack: Stack, *args: str) -> str:
    """scripts/privacy.py with the servers' environment, as an operator runs it."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "privacy.py"), *args], cwd=ROOT,
        env={**stack.env(), "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert leaks({"output": output}) == [], output  # counts, never the data
    return done.stdout


def counts_in(output: str) -> dict[str, int]:
    labels = {"tracker events": "events", "live-chat handoffs": "handoffs", "their messages":
              "handoff_messages", "ready drafts": "ready_drafts", "unfinished drafts":
              "unfinished_drafts", "votes": "votes"}
    found = {}
    for line in output.splitlines():
        for label, kind in labels.items():
            if line.strip().startswith(label):
                found[kind] = int(line.split()[len(label.split())])
    return found


def backdate(stack: Stack, sender: str, up_to_event_id: int) -> None:
    """Make the conversation's rows look written OLD ago (its events up to an id only); its
    handoff ended then (as given up: else the desk's sweeper would give it up now)."""
    with stack.core.tracker.engine.begin() as connection:
        connection.execute(
            sa.update(EVENTS)
            .where(EVENTS.c.sender_id == sender, EVENTS.c.id <= up_to_event_id)
            .values(timestamp=EVENTS.c.timestamp - OLD.total_seconds())
        )
    moment = utcnow() - OLD
    with stack.core.db.session() as session:
        session.execute(
            sa.update(Handoff).where(Handoff.conversation_id == sender)
            .values(created_at=moment, ended_at=moment, status="abandonnee", end_reason="delai_depasse")
        )
        for model, columns in ((Sollicitation, ("created_at", "updated_at")), (Vote, ("created_at",))):
            session.execute(
                sa.update(model).where(model.conversation_id == sender)
                .values({column: moment for column in columns})
            )


def last_event_id(stack: Stack, sender: str) -> int:
    with stack.core.tracker.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.max(EVENTS.c.id)).where(EVENTS.c.sender_id == sender))


def test_the_purge_deletes_what_is_older_than_its_retention_and_the_cache_forgets_it(stack, sender):
    old, recent = sender, f"{sender}-recent"
    talk(stack, old)
    mark = last_event_id(stack, old)
    time.sleep(0.01)
    stack.say(old, "Toujours là ? Je patiente")  # a recent turn of the same session
    backdate(stack, old, mark)
    stack.say(recent, "comment créer un compte ?", WHO)
    stack.say(recent, "/vote_negatif", WHO)
    before_old, before_recent = stored(stack, old), stored(stack, recent)
    backdated = stack.core.tracker.remove(
        conversation_id=old, before=time.time() - OLD.total_seconds() / 2, dry_run=True
    )
    recent_turn = before_old["events"] - backdated
    served = served_tracker(stack, old)
    assert INTRODUCTION in user_texts(served)  # the old turns, served from the Rasa server's cache

    dry = counts_in(privacy(stack, "purge", "--dry-run"))
    assert stored(stack, old) == before_old
    output = privacy(stack, "purge")
    purged = counts_in(output)

    assert purged == dry and "Deleted, older than their retention" in output
    # Only rows this old are purged: the recent turn, the recent conversation stay.
    after_old = stored(stack, old)
    assert after_old == {"events": recent_turn, "handoffs": 0, "handoff_messages": 0,
                         "sollicitations": 0, "votes": 0}
    assert 0 < recent_turn < before_old["events"]
    assert stored(stack, recent) == before_recent
    assert purged["events"] >= backdated
    assert purged["handoffs"] >= 1 and purged["handoff_messages"] >= before_old["handoff_messages"]
    assert purged["unfinished_drafts"] + purged["ready_drafts"] >= before_old["sollicitations"]
    assert purged["votes"] >= 1
    # Rasa's database and its cache only have the recent turn left.
    for tracker in (full_tracker(stack, old), served_tracker(stack, old)):
        assert user_texts(tracker) == ["Toujours là ? Je patiente"]
        assert leaks(tracker) == []
