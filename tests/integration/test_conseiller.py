"""Live chat with a human advisor, end to end: real Rasa, action server, advisor desk, database.

Users talk over REST (`stack.say`) and over socket.io (python-socketio's AsyncClient, like the
widget); advisors use the desk's JSON API with the token, or log in like a browser. Runs on
SQLite and PostgreSQL (the `stack` fixture).

The socket.io user asks for a session of its own id, like the widget: answers reach it through the
room of that id (channels/resilient.py joins it, RasaHQ/rasa#13027), including what the desk
triggers outside of the user's turns.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from assistance.db.models import Handoff, HandoffMessage
from assistance.solicitations.draft import DraftStatus
from assistance.solicitations.repository import save_draft
from tests.integration.conftest import CLOSED_TIME, OPEN_TIME
from tests.stack import DESK_API_TOKEN, ROOT, SocketUser, Stack, payloads, plain, texts, write_advisors

pytestmark = pytest.mark.both_backends

ADVISORS = {"alice": ("Alice", "mot-de-passe-alice"), "bruno": ("Bruno", "mot-de-passe-bruno")}
PROFILE = {"utilisateur": {"profil": "fournisseur", "connecte": True, "structure": "Menuiserie Durand"}}
QUIET = 2.0  # seconds during which the assistant must say nothing


# --- The desk ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def desk(stack: Stack) -> Stack:
    """The advisor desk beside the stack, with two advisors, for this module."""
    advisors = write_advisors(stack.workdir / "advisors.yml", ADVISORS)
    stack.start_desk(ADVISORS_FILE=str(advisors))
    yield stack
    stack.stop("desk")


def raw(stack: Stack, method: str, path: str, body: Any = None, headers: dict | None = None):
    """One HTTP request to the desk, redirects not followed: (status, headers, text)."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.desk_port, timeout=60)
    headers = dict(headers or {})
    data = None
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        data = body.encode()
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read().decode()
    connection.close()
    return result


def api(stack: Stack, method: str, path: str, body: Any = None, advisor: str | None = None):
    headers = {"Authorization": f"Bearer {DESK_API_TOKEN}"}
    if advisor:
        headers["X-Conseiller"] = advisor
    status, _, text = raw(stack, method, path, body, headers)
    return status, (json.loads(text) if text else None)


def handoff_of(stack: Stack, sender: str) -> dict:
    query = urllib.parse.urlencode(
        {"status": "en_attente,en_cours,cloturee,abandonnee", "conversation_id": sender}
    )
    status, data = api(stack, "GET", f"/api/handoffs?{query}")
    assert status == 200
    mine = [h for h in data["handoffs"] if h["conversation_id"] == sender]
    assert len(mine) == 1, mine
    return mine[0]


def detail(stack: Stack, handoff_id: int) -> dict:
    status, data = api(stack, "GET", f"/api/handoffs/{handoff_id}")
    assert status == 200
    return data


def exchanged(stack: Stack, handoff_id: int) -> list[tuple[str, str]]:
    return [(m["author"], m["text"]) for m in detail(stack, handoff_id)["messages"]]


def take(stack: Stack, handoff_id: int, advisor: str) -> dict:
    status, data = api(stack, "POST", f"/api/handoffs/{handoff_id}/take", {}, advisor)
    assert status == 200, data
    assert data["notified"] is True
    return data


def write(stack: Stack, handoff_id: int, advisor: str, text: str) -> None:
    status, data = api(stack, "POST", f"/api/handoffs/{handoff_id}/messages", {"text": text}, advisor)
    assert status == 201, data
    assert data["notified"] is True


def close(stack: Stack, handoff_id: int, advisor: str) -> None:
    status, data = api(stack, "POST", f"/api/handoffs/{handoff_id}/close", {}, advisor)
    assert status == 200, data


def stored(stack: Stack, handoff_id: int) -> tuple[Handoff, list[HandoffMessage]]:
    with stack.core.db.session() as session:
        handoff = session.get(Handoff, handoff_id)
        messages = session.scalars(
            select(HandoffMessage).where(HandoffMessage.handoff_id == handoff_id).order_by(HandoffMessage.id)
        ).all()
        session.expunge_all()
    return handoff, list(messages)


# --- What users see ---------------------------------------------------------------------


def advisor_events(messages: list[dict]) -> list[tuple[str, str | None, str]]:
    """(evenement, nom, text) of the live-chat messages of a REST answer (the shared contract)."""
    found = []
    for message in messages:
        data = (message.get("custom") or {}).get("data")
        if data and "conseiller" in data:
            found.append((data["conseiller"]["evenement"], data["conseiller"]["nom"], plain(data["text"])))
    return found


def queue_for_advisor(stack: Stack, sender: str) -> list[dict]:
    """A REST user asks for a human and accepts; returns the acceptance answer."""
    offer = stack.say(sender, "je veux parler à un conseiller", PROFILE)
    assert "/affirmer" in payloads(offer)
    return stack.say(sender, "/affirmer")


def poll(stack: Stack, sender: str) -> list[dict]:
    return stack.say(sender, "/relever_messages_conseiller")


# --- REST -------------------------------------------------------------------------------


def test_a_rest_user_chats_with_an_advisor_then_the_assistant_takes_back_over(desk, sender):
    stack = desk
    accepted = queue_for_advisor(stack, sender)
    [(evenement, nom, text)] = advisor_events(accepted)
    assert (evenement, nom) == ("attente", None)
    assert re.search(r"en position \d+ dans la file d'attente", text)

    # The assistant is silent: the message goes to the advisor.
    assert stack.say(sender, "Ma facture FAC-42 est rejetée, pourquoi ?") == []
    assert stack.say(sender, "comment créer un compte ?") == []  # even a known FAQ question
    handoff = handoff_of(stack, sender)
    assert (handoff["status"], handoff["motif"], handoff["profil"]) == (
        "en_attente", "demande_directe", "fournisseur",
    )
    assert handoff["context"]["structure"] == "Menuiserie Durand" and handoff["waiting_seconds"] >= 0
    assert handoff["position"] >= 1
    assert "je veux parler à un conseiller" in [e["texte"] for e in handoff["transcript"]]

    take(stack, handoff["id"], "alice")
    assert advisor_events(poll(stack, sender)) == [
        ("rejoint", "Alice",
         "Alice, du support Chorus Pro, a rejoint la conversation. Vous pouvez lui écrire ici."),
    ]
    assert poll(stack, sender) == []  # nothing twice

    write(stack, handoff["id"], "alice", "Bonjour, quel est le motif de rejet affiché ?")
    write(stack, handoff["id"], "alice", "Et la date de dépôt ?")
    # The user's next message brings the advisor's messages, in order.
    answer = stack.say(sender, "Le motif est « SIRET inconnu »")
    assert advisor_events(answer) == [
        ("message", "Alice", "Bonjour, quel est le motif de rejet affiché ?"),
        ("message", "Alice", "Et la date de dépôt ?"),
    ]
    assert stack.say(sender, "Déposée le 3 octobre") == []
    write(stack, handoff["id"], "alice", "Merci : corrigez le SIRET puis déposez-la de nouveau.")
    assert exchanged(stack, handoff["id"]) == [
        ("utilisateur", "Ma facture FAC-42 est rejetée, pourquoi ?"),
        ("utilisateur", "comment créer un compte ?"),
        ("conseiller", "Bonjour, quel est le motif de rejet affiché ?"),
        ("conseiller", "Et la date de dépôt ?"),
        ("utilisateur", "Le motif est « SIRET inconnu »"),
        ("utilisateur", "Déposée le 3 octobre"),
        ("conseiller", "Merci : corrigez le SIRET puis déposez-la de nouveau."),
    ]

    close(stack, handoff["id"], "alice")
    back = poll(stack, sender)
    assert advisor_events(back) == [
        ("message", "Alice", "Merci : corrigez le SIRET puis déposez-la de nouveau."),
        ("parti", "Alice", "Alice a clôturé la conversation. Vous êtes de nouveau avec Claud.IA, "
                           "l'assistante virtuelle : posez-moi votre question si vous en avez une autre."),
    ]
    assert "Comment évaluez-vous votre échange avec le conseiller ?" in texts(back)
    assert '/noter_echange{"note_echange": "4"}' in payloads(back)
    assert stack.slot(sender, "id_transfert") is None
    assert stack.slot(sender, "nb_incompris") == 0 and stack.slot(sender, "nb_votes_negatifs") == 0

    assert "Merci pour votre évaluation" in texts(stack.say(sender, '/noter_echange{"note_echange": "4"}'))
    answer = stack.say(sender, "comment créer un compte ?")  # the assistant answers again
    assert "/vote_positif" in payloads(answer) and texts(answer).strip()

    row, messages = stored(stack, handoff["id"])
    assert (row.status, row.rating, row.advisor_login) == ("cloturee", 4, "alice")
    assert len(messages) == 7 and all(m.delivered for m in messages)
    closed = detail(stack, handoff["id"])  # the closed handoff keeps its whole transcript
    assert closed["status"] == "cloturee" and len(closed["messages"]) == 7 and closed["transcript"]


def test_two_simultaneous_handoffs_never_see_each_others_messages(desk):
    stack = desk
    first, second = f"test-a-{time.time_ns()}", f"test-b-{time.time_ns()}"
    queue_for_advisor(stack, first)
    queue_for_advisor(stack, second)
    one, two = handoff_of(stack, first)["id"], handoff_of(stack, second)["id"]
    take(stack, one, "alice")
    take(stack, two, "bruno")
    for user, text in ((first, "Je suis le premier usager"), (second, "Je suis le second usager")):
        stack.say(user, text)
    write(stack, one, "alice", "Réponse pour le premier")
    write(stack, two, "bruno", "Réponse pour le second")
    assert [e for e in advisor_events(poll(stack, first)) if e[0] == "message"] == [
        ("message", "Alice", "Réponse pour le premier")
    ]
    assert [e for e in advisor_events(poll(stack, second)) if e[0] == "message"] == [
        ("message", "Bruno", "Réponse pour le second")
    ]
    assert exchanged(stack, one) == [
        ("utilisateur", "Je suis le premier usager"), ("conseiller", "Réponse pour le premier"),
    ]
    assert exchanged(stack, two) == [
        ("utilisateur", "Je suis le second usager"), ("conseiller", "Réponse pour le second"),
    ]
    # Neither advisor can write in, nor close, the other's conversation.
    assert api(stack, "POST", f"/api/handoffs/{two}/messages", {"text": "intrus"}, "alice")[0] == 403
    assert api(stack, "POST", f"/api/handoffs/{one}/close", {}, "bruno")[0] == 403
    close(stack, one, "alice")
    close(stack, two, "bruno")


def test_two_advisors_taking_at_the_same_time_cannot_both_win(desk, sender):
    stack = desk
    queue_for_advisor(stack, sender)
    handoff_id = handoff_of(stack, sender)["id"]

    async def race():
        return await asyncio.gather(
            *(asyncio.to_thread(api, stack, "POST", f"/api/handoffs/{handoff_id}/take", {}, who)
              for who in ("alice", "bruno"))
        )

    outcomes = sorted(status for status, _ in asyncio.run(race()))
    assert outcomes == [200, 409]
    winner = detail(stack, handoff_id)["advisor"]["login"]
    close(stack, handoff_id, winner)


def test_a_message_sent_while_the_desk_is_down_is_not_lost(desk, sender):
    stack = desk
    queue_for_advisor(stack, sender)
    handoff_id = handoff_of(stack, sender)["id"]
    take(stack, handoff_id, "alice")
    stack.stop("desk")
    try:
        answer = stack.say(sender, "Message écrit pendant la panne de la console")
        # Only the advisor's arrival, announced with this first message; no error, no bot answer.
        assert [e[0] for e in advisor_events(answer)] == ["rejoint"] and len(answer) == 1
    finally:
        stack.start_desk(ADVISORS_FILE=str(stack.workdir / "advisors.yml"))
    assert exchanged(stack, handoff_id) == [("utilisateur", "Message écrit pendant la panne de la console")]
    write(stack, handoff_id, "alice", "Bien reçu malgré la panne.")
    events = advisor_events(poll(stack, sender))
    assert ("message", "Alice", "Bien reçu malgré la panne.") in events
    close(stack, handoff_id, "alice")


def test_the_live_chat_closing_while_waiting_offers_a_written_request(desk, sender):
    stack = desk
    queue_for_advisor(stack, sender)
    handoff_id = handoff_of(stack, sender)["id"]
    stack.restart_actions(ASSISTANT_NOW=CLOSED_TIME)
    try:
        answer = stack.say(sender, "Il y a quelqu'un ?")
    finally:
        stack.restart_actions(ASSISTANT_NOW=OPEN_TIME)
    [(evenement, nom, text)] = advisor_events(answer)
    assert (evenement, nom) == ("parti", None) and "vient de fermer" in text
    assert "/rediger_sollicitation" in payloads(answer)
    assert stack.slot(sender, "id_transfert") is None
    assert stack.slot(sender, "offre_escalade") == "sollicitation"
    row, messages = stored(stack, handoff_id)
    assert (row.status, row.end_reason) == ("abandonnee", "chat_ferme")
    assert [m.text for m in messages] == ["Il y a quelqu'un ?"]  # kept with the transcript


# --- The waiting delay ------------------------------------------------------------------


@pytest.fixture
def short_wait(desk, tmp_path):
    """The action server gives up a waiting handoff after 3 seconds, for one test."""
    config = tmp_path / "live_chat.yml"
    settings = yaml.safe_load((ROOT / "conf" / "live_chat.yml").read_text(encoding="utf-8"))
    settings["delai_attente_conseiller_minutes"] = 0.05
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    desk.restart_actions(LIVE_CHAT_CONFIG=str(config))
    yield desk
    desk.restart_actions()


def test_nobody_taking_the_conversation_in_time_offers_a_written_request(short_wait, sender):
    stack = short_wait
    queue_for_advisor(stack, sender)
    stack.say(sender, "J'attends un conseiller pour mon avoir")
    time.sleep(4.5)
    answer = stack.say(sender, "Toujours personne ?")
    [(evenement, nom, text)] = advisor_events(answer)
    assert (evenement, nom) == ("parti", None) and "aucun conseiller n'a pu prendre votre demande" in text
    assert "Rédiger une sollicitation" in texts(answer) and "/rediger_sollicitation" in payloads(answer)
    row, messages = stored(stack, handoff_of(stack, sender)["id"])
    assert (row.status, row.end_reason) == ("abandonnee", "delai_depasse")
    assert [m.text for m in messages] == ["J'attends un conseiller pour mon avoir", "Toujours personne ?"]
    assert row.transcript  # what was said before, kept to prefill the written request


# --- Socket.io (the widget's channel) ---------------------------------------------------


def event(name: str):
    return lambda message: (message.get("conseiller") or {}).get("evenement") == name


def quick_replies(messages: list[dict]) -> list[str]:
    return [r["payload"] for m in messages for r in m.get("quick_replies") or []]


async def desk_call(function, *args):
    return await asyncio.to_thread(function, *args)


async def test_a_socketio_user_sees_the_advisor_in_real_time(desk):
    stack = desk
    user = await SocketUser(stack.rasa_url, PROFILE).connect()
    try:
        await user.say("je veux parler à un conseiller")
        offer = await user.receive(lambda m: "/affirmer" in quick_replies([m]))
        assert "Voulez-vous lui parler" in offer[-1]["text"]
        await user.say("/affirmer")
        [waiting] = await user.receive(event("attente"))
        assert waiting["conseiller"] == {"evenement": "attente", "nom": None}
        assert "file d'attente" in waiting["text"]

        await user.say("Bonjour, mon compte est bloqué")
        assert await user.silence(QUIET) == []  # the assistant stays silent
        handoff_id = (await desk_call(handoff_of, stack, user.session_id))["id"]

        # Each advisor action reaches the user at once, without them writing anything.
        await desk_call(take, stack, handoff_id, "alice")
        [joined] = await user.receive(event("rejoint"))
        assert joined["conseiller"] == {"evenement": "rejoint", "nom": "Alice"}
        question = "Bonjour, je suis Alice. Quel est votre identifiant ?"
        await desk_call(write, stack, handoff_id, "alice", question)
        [message] = await user.receive(event("message"))
        assert message == {
            "text": question,
            "conseiller": {"evenement": "message", "nom": "Alice", "id": message["conseiller"]["id"]},
        }
        await user.say("jeanne.durand@exemple.fr")
        assert await user.silence(QUIET) == []
        await desk_call(write, stack, handoff_id, "alice", "C'est débloqué, vous pouvez vous reconnecter.")
        [message] = await user.receive(event("message"))
        assert message["text"] == "C'est débloqué, vous pouvez vous reconnecter."
        assert await desk_call(exchanged, stack, handoff_id) == [
            ("utilisateur", "Bonjour, mon compte est bloqué"),
            ("conseiller", "Bonjour, je suis Alice. Quel est votre identifiant ?"),
            ("utilisateur", "jeanne.durand@exemple.fr"),
            ("conseiller", "C'est débloqué, vous pouvez vous reconnecter."),
        ]

        await desk_call(close, stack, handoff_id, "alice")
        back = await user.receive(lambda m: "Comment évaluez-vous" in (m.get("text") or ""))
        assert back[0]["conseiller"] == {"evenement": "parti", "nom": "Alice"}
        assert '/noter_echange{"note_echange": "5"}' in quick_replies(back)
        await user.say('/noter_echange{"note_echange": "5"}')
        await user.receive(lambda m: "Merci pour votre évaluation" in (m.get("text") or ""))
        await user.say("comment créer un compte ?")
        answer = await user.receive(lambda m: "/vote_positif" in quick_replies([m]))
        assert answer[-1]["text"].strip()  # the assistant answers again
    finally:
        await user.close()
    row, _ = await desk_call(stored, stack, handoff_id)
    assert (row.status, row.rating, row.channel) == ("cloturee", 5, "socketio")


async def test_a_socketio_user_is_told_at_once_when_nobody_came_in_time(short_wait):
    stack = short_wait
    user = await SocketUser(stack.rasa_url, PROFILE).connect()
    try:
        await user.say("je veux parler à un conseiller")
        await user.receive(lambda m: "/affirmer" in quick_replies([m]))
        await user.say("/affirmer")
        await user.receive(event("attente"))
        # The reminder set for the end of the wait fires inside Rasa: the user writes nothing.
        given_up = await user.receive(lambda m: "/rediger_sollicitation" in quick_replies([m]), timeout=30)
        assert given_up[0]["conseiller"] == {"evenement": "parti", "nom": None}
        assert "aucun conseiller n'a pu prendre votre demande" in given_up[0]["text"]
    finally:
        await user.close()


# --- The desk itself --------------------------------------------------------------------

REFUSED = "Connectez-vous pour accéder à la console des conseillers."
PROTECTED = [
    ("GET", "/"), ("GET", "/static/desk.js"), ("GET", "/api/moi"), ("GET", "/api/handoffs"),
    ("GET", "/api/handoffs/1"), ("GET", "/api/handoffs/1/messages"),
    ("POST", "/api/handoffs/1/messages"), ("POST", "/api/handoffs/1/take"),
    ("POST", "/api/handoffs/1/close"), ("GET", "/api/sollicitations/SOL-2026-000001"),
    ("GET", "/api/openapi.yaml"), ("DELETE", "/api/conversations/x"), ("GET", "/api/inconnu"),
    ("GET", "/inconnu"), ("POST", "/deconnexion"),
]


def test_the_desk_refuses_every_request_without_a_valid_session_or_token(desk):
    stack = desk
    for headers in (
        {}, {"Authorization": "Bearer faux-jeton"}, {"Authorization": f"Basic {DESK_API_TOKEN}"},
        {"Cookie": "desk_session=inventee"},
    ):
        for method, path in PROTECTED:
            status, response_headers, body = raw(stack, method, path, {"text": "x"}, headers)
            if method == "GET" and not path.startswith("/api/"):
                assert (status, response_headers["Location"]) == (303, "/connexion"), (method, path)
            else:
                assert status == 401, (method, path, headers)
                assert json.loads(body)["message"] == REFUSED


def test_an_advisor_logs_in_with_a_password_and_gets_the_desk(desk):
    stack = desk
    status, _, page = raw(stack, "GET", "/connexion")
    assert status == 200 and "Console des conseillers Chorus Pro" in page
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    wrong = urllib.parse.urlencode({"identifiant": "alice", "mot_de_passe": "pas-le-bon"})
    status, headers, page = raw(stack, "POST", "/connexion", wrong, form)
    assert status == 401 and "Identifiant ou mot de passe incorrect." in page and "Set-Cookie" not in headers

    good = urllib.parse.urlencode({"identifiant": "alice", "mot_de_passe": ADVISORS["alice"][1]})
    status, headers, _ = raw(stack, "POST", "/connexion", good, form)
    assert status == 303 and headers["Location"] == "/"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    status, _, page = raw(stack, "GET", "/", headers={"Cookie": cookie})
    assert status == 200 and "Mes conversations en cours" in page
    status, _, me = raw(stack, "GET", "/api/moi", headers={"Cookie": cookie})
    assert {k: v for k, v in json.loads(me).items() if k != "author_labels"} == {
        "login": "alice", "name": "Alice", "roles": ["conseiller"],
    }
    raw(stack, "POST", "/deconnexion", headers={"Cookie": cookie})
    assert raw(stack, "GET", "/api/moi", headers={"Cookie": cookie})[0] == 401


def test_solicitation_drafts_are_read_back_from_the_desk(desk, sender):
    stack = desk
    reference = save_draft(
        stack.core.db, {"description": "Ma facture est rejetée"}, status=DraftStatus.DRAFT,
        conversation_id=sender, year=2026,
    )
    status, draft = api(stack, "GET", f"/api/sollicitations/{reference}")
    assert status == 200 and draft["description"] == "Ma facture est rejetée"
    status, _, text = raw(
        stack, "GET", f"/api/sollicitations/{reference}.txt",
        headers={"Authorization": f"Bearer {DESK_API_TOKEN}"},
    )
    assert status == 200 and "Ma facture est rejetée" in text
    status, missing = api(stack, "GET", "/api/sollicitations/SOL-1999-999999")
    assert status == 404 and missing["message"] == "Aucune sollicitation ne porte cette référence."


def test_the_desk_serves_its_openapi_document(desk):
    status, _, text = raw(
        desk, "GET", "/api/openapi.yaml", headers={"Authorization": f"Bearer {DESK_API_TOKEN}"}
    )
    assert status == 200
    assert Path(ROOT / "desk" / "openapi.yaml").read_text(encoding="utf-8") == text
