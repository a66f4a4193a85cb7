"""Faults around the live chat and the database, through the real servers on both backends:
Rasa hanging while an advisor acts (a retry never duplicates), and a database that refuses
writes (the user gets a French message, nothing accepted is lost, no personal data is logged)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.integration.conftest import OPEN_TIME
from tests.integration.test_conseiller import advisor_events, api
from tests.stack import Stack, texts

pytestmark = [pytest.mark.hostile, pytest.mark.both_backends]
_BASE = int(os.environ.get("TEST_PORT_BASE", "15000"))
HUNG_PORT = _BASE + 810
READ_ONLY_ROLE = "claudia_readonly_tests"


class HungServer:
    """Accepts connections and never answers: a Rasa server stuck in a long turn."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_server(("127.0.0.1", port))
        self.socket.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            with contextlib.suppress(TimeoutError, OSError):
                self.held.append(self.socket.accept()[0])

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        for held in self.held:
            held.close()
        self.socket.close()


@pytest.fixture
def hung_rasa(stack):
    """The desk of the stack, talking to a Rasa that hangs (the users still reach the real one)."""
    port = HUNG_PORT + (stack.backend == "postgres")
    server = HungServer(port)
    stack.start_desk(RASA_URL=f"http://127.0.0.1:{port}", DESK_RASA_TIMEOUT="2")
    yield stack
    stack.stop("desk")
    server.close()


def queued(stack: Stack, sender: str) -> int:
    stack.say(sender, "je veux parler à un conseiller")
    assert "file d'attente" in texts(stack.say(sender, "oui"))
    return int(stack.slot(sender, "id_transfert"))


def test_rasa_hanging_during_take_message_and_close_never_duplicates_on_retry(hung_rasa, sender):
    stack = hung_rasa
    handoff_id = queued(stack, sender)
    key = uuid.uuid4().hex
    for _ in range(2):  # the advisor retries each action after the timeout
        started = time.perf_counter()
        status, data = api(stack, "POST", f"/api/handoffs/{handoff_id}/take", {}, "demo")
        assert (status, data["notified"]) == (200, False)
        assert time.perf_counter() - started < 10
    for _ in range(2):
        status, data = api(stack, "POST", f"/api/handoffs/{handoff_id}/messages",
                           {"text": "Bonjour, je regarde votre dossier.", "client_id": key}, "demo")
        assert (status, data["notified"]) == (201, False)
    # The user gets what the advisor did when they next write: once, though the desk sent twice.
    seen = advisor_events(stack.say(sender, "/relever_messages_conseiller"))
    assert [t for e, _, t in seen if e == "message"] == ["Bonjour, je regarde votre dossier."]
    for _ in range(2):
        status, data = api(stack, "POST", f"/api/handoffs/{handoff_id}/close", {}, "demo")
        assert status == 200 and data["handoff"]["status"] == "cloturee"
    # Told once that the advisor left; the message is not shown again.
    left = advisor_events(stack.say(sender, "/relever_messages_conseiller"))
    assert [e for e, _, _ in left] == ["parti"]


# --- A database that refuses writes --------------------------------------------------------------


def read_only_url(stack: Stack) -> str:
    if stack.backend == "sqlite":
        return f"sqlite:///file:{stack.workdir / 'app.db'}?mode=ro&uri=true"
    engine = create_engine(stack.database_url, future=True)
    with engine.begin() as connection:  # a role that may read but not write (the shared server stays up)
        connection.execute(text(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READ_ONLY_ROLE}') "
            f"THEN CREATE ROLE {READ_ONLY_ROLE} LOGIN; END IF; END $$"
        ))
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {READ_ONLY_ROLE}"))
        connection.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READ_ONLY_ROLE}"))
    engine.dispose()
    return f"postgresql://{READ_ONLY_ROLE}@127.0.0.1:5432/test"


@pytest.fixture
def read_only(stack):
    stack.say("warm-up", "comment créer un compte ?")  # the tables exist
    stack.say("warm-up", "/vote_positif")
    stack.restart_actions(ASSISTANT_NOW=OPEN_TIME, DATABASE_URL=read_only_url(stack))
    yield stack
    stack.restart_actions(ASSISTANT_NOW=OPEN_TIME)


def user_texts(stack: Stack, sender: str) -> list[str]:
    return [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_a_vote_the_database_refuses_is_explained_and_still_counts(read_only, sender):
    stack = read_only
    stack.say(sender, "comment créer un compte ?")
    answer = texts(stack.say(sender, "/vote_negatif"))
    assert "Votre avis n'a pas pu être enregistré" in answer
    assert "conseiller" in answer  # the 👎 still leads to the offer of a human
    assert user_texts(stack, sender)[-1] == "/vote_negatif"


def test_a_handoff_the_database_refuses_offers_to_write_instead(read_only, sender):
    stack = read_only
    stack.say(sender, "je veux parler à un conseiller")
    answer = texts(stack.say(sender, "oui"))
    assert "n'a pas pu se faire à cause d'un incident technique" in answer
    assert "Rédiger une sollicitation" in answer
    assert user_texts(stack, sender)[-1] == "oui"


def test_a_relayed_message_the_database_refuses_is_explained_and_kept(stack, sender):
    queued(stack, sender)
    stack.restart_actions(ASSISTANT_NOW=OPEN_TIME, DATABASE_URL=read_only_url(stack))
    try:
        answer = texts(stack.say(sender, "Mon numéro est le 06 12 34 56 78"))
        assert "n'a pas pu être transmis au conseiller" in answer
    finally:
        stack.restart_actions(ASSISTANT_NOW=OPEN_TIME)
    assert user_texts(stack, sender)[-1] == "Mon numéro est le 06 12 34 56 78"  # kept in the tracker
    assert "06 12 34 56 78" not in (stack.workdir / "actions.log").read_text(errors="replace")


def test_a_draft_the_database_refuses_is_kept_in_the_conversation(read_only, sender):
    stack = read_only
    stack.say(sender, "je veux écrire au support")
    stack.say(sender, "Compte et connexion")
    stack.say(sender, "Création de compte")
    stack.say(sender, "Menuiserie Durand")
    answer = texts(stack.say(sender, "annuler"))
    assert "Un incident technique m'empêche d'enregistrer le brouillon" in answer
    assert stack.slot(sender, "sollicitation_structure") == "Menuiserie Durand"
    log = (stack.workdir / "actions.log").read_text(errors="replace")
    assert "Menuiserie Durand" not in log
