"""Hostile input and faults, one test per case, through the real servers on both backends.

Each case asserts what the user sees and what is stored: a refused message gets a French reason
and leaves nothing in the conversation, the next good message is answered, Rasa's memory stays
bounded. `scripts/hostile_tally.py` prints the tally of this suite (cases passed / total).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import time
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import OPEN_TIME
from tests.stack import SocketUser, Stack, texts

pytestmark = pytest.mark.hostile


def post(stack: Stack, body: bytes | dict) -> tuple[int, object]:
    """(status, JSON answer) of a REST webhook request, errors included."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    if len(data) > 1_000_000:
        return post_huge(stack, data)
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook", data=data, method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def post_huge(stack: Stack, data: bytes) -> tuple[int, object]:
    """A body the server refuses before reading it: it answers, then closes while we still send."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.rasa_port, timeout=30)
    connection.putrequest("POST", "/webhooks/rest/webhook")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(len(data)))
    connection.endheaders()
    with contextlib.suppress(OSError):
        for start in range(0, len(data), 65536):
            connection.send(data[start:start + 65536])
    response = connection.getresponse()
    result = response.status, json.loads(response.read() or b"null")
    connection.close()
    return result


def user_texts(stack: Stack, sender: str) -> list[str]:
    return [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def rss_mb(stack: Stack) -> float:
    pid = stack._processes["rasa"].pid
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def refused(stack: Stack, sender: str, body: dict | bytes, code: str, status: int = 400) -> dict:
    """The request is refused with `code`, and the conversation holds none of it."""
    got, answer = post(stack, body)
    assert (got, answer["error"]) == (status, code), answer
    assert answer["message"] and "\u00a0" in answer["message"]  # French text, typeset
    return answer


def still_answered(stack: Stack, sender: str) -> None:
    assert "compte" in texts(stack.say(sender, "comment créer un compte ?"))


# --- Size ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "code", "status"), [
    (100_000, "message_trop_long", 400),
    (1_000_000, "requete_trop_grande", 413),
    (10_000_000, "requete_trop_grande", 413),
], ids=["100k", "1M", "10M"])
def test_a_huge_rest_message_is_refused_at_once_with_memory_bounded(stack, sender, size, code, status):
    before = rss_mb(stack)
    started = time.perf_counter()
    answer = refused(stack, sender, {"sender": sender, "message": "x" * size}, code, status)
    assert time.perf_counter() - started < 1.0
    assert "5000" in answer["message"].replace("\u00a0", "").replace(" ", "")
    assert rss_mb(stack) - before < 50
    stack.say(sender, "bonjour")
    assert user_texts(stack, sender) == ["bonjour"]
    still_answered(stack, sender)


@pytest.mark.parametrize("size", [100_000, 1_000_000], ids=["100k", "1M"])
async def test_a_huge_socketio_message_is_refused_and_the_socket_carries_on(stack, size):
    user = await SocketUser(stack.rasa_url).connect()
    before = rss_mb(stack)
    try:
        await user.say("x" * size)
        if size <= 200_000:  # within a packet: a French bot message
            [refusal] = await user.receive(lambda m: "trop long" in (m.get("text") or ""), timeout=10)
            assert "5\u00a0000" in refusal["text"] or "5000" in refusal["text"]
        else:  # over the packet limit: engine.io drops the packet and the connection
            await user.silence(2)
    finally:
        await user.close()
    assert rss_mb(stack) - before < 50
    assert stack.tracker(user.session_id)["events"] == [] or user_texts(stack, user.session_id) == []
    again = await SocketUser(stack.rasa_url).connect(user.session_id)
    try:
        await again.say("bonjour")
        await again.receive(lambda m: bool(m.get("text")))
    finally:
        await again.close()
    assert user_texts(stack, again.session_id) == ["bonjour"]


# --- Characters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["facture\x00rejetée", "bonjour \ud800", "erreur \x1b[31m"],
                         ids=["nul", "surrogate", "escape"])
def test_unstorable_characters_in_the_text_are_refused(stack, sender, text):
    refused(stack, sender, {"sender": sender, "message": text}, "caracteres_invalides")
    assert user_texts(stack, sender) == []
    still_answered(stack, sender)


def test_a_lone_surrogate_escaped_in_json_is_refused(stack, sender):
    body = ('{"sender": "' + sender + '", "message": "bonjour \\ud800"}').encode()
    refused(stack, sender, body, "caracteres_invalides")
    assert user_texts(stack, sender) == []


def test_bidi_overrides_are_removed_and_zero_width_characters_kept(stack, sender):
    stack.say(sender, "ma facture \u202eest rejetée\u200b")
    assert user_texts(stack, sender) == ["ma facture est rejetée\u200b"]


@pytest.mark.parametrize("metadata", [{"profil": "\ud800"}, {"x\x00": 1}], ids=["surrogate", "nul-key"])
def test_unstorable_characters_in_metadata_are_refused(stack, sender, metadata):
    refused(stack, sender, {"sender": sender, "message": "bonjour", "metadata": metadata},
            "caracteres_invalides")
    assert user_texts(stack, sender) == []


@pytest.mark.parametrize("sender_id", [
    "x" * 256, "x" * 10_000, "a/b", "../../etc/passwd", "marie\x00", "marie\u202e", "marie\u200b",
], ids=["256", "10k", "slash", "dotdot", "nul", "rtl", "zero-width"])
def test_a_sender_that_is_not_a_plain_identifier_is_refused(stack, sender_id):
    got, answer = post(stack, {"sender": sender_id, "message": "bonjour"})
    assert (got, answer["error"]) == (400, "sender_invalide")
    assert "« sender »" in answer["message"].replace("\u00a0", " ")


# --- Metadata -----------------------------------------------------------------------------------


def nested(sender: str, depth: int) -> bytes:
    """A body whose metadata nests `depth` objects (written by hand: json.dumps would recurse)."""
    metadata = '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)
    return f'{{"sender": "{sender}", "message": "bonjour", "metadata": {metadata}}}'.encode()


@pytest.mark.parametrize("depth", [50, 600, 5000])
def test_deeply_nested_metadata_is_refused(stack, sender, depth):
    refused(stack, sender, nested(sender, depth), "metadata_trop_grande")
    assert user_texts(stack, sender) == []
    still_answered(stack, sender)


def test_a_megabyte_of_metadata_is_refused(stack, sender):
    body = {"sender": sender, "message": "bonjour", "metadata": {"blob": "x" * 1_000_000}}
    refused(stack, sender, body, "requete_trop_grande", status=413)
    assert user_texts(stack, sender) == []


def test_a_client_cannot_pass_its_message_for_an_external_event(stack, sender):
    stack.say(sender, "bonjour", {"is_external": True, "_client": "forged"})
    [user] = [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert "is_external" not in (user.get("metadata") or {})
    assert user["metadata"]["_client"] != "forged"


def test_a_typed_external_intent_is_refused(stack, sender):
    refused(stack, sender, {"sender": sender, "message": "/EXTERNAL_evenement_conseiller"},
            "commande_reservee")
    assert user_texts(stack, sender) == []


# --- socket.io sessions ---------------------------------------------------------------------------


async def test_a_socket_cannot_take_someone_elses_conversation(stack, sender):
    stack.say(sender, "bonjour")  # a REST user's conversation
    intruder = await SocketUser(stack.rasa_url).connect(session_id=sender)
    try:
        assert intruder.session_id != sender
        await intruder.say("montre-moi la sollicitation SOL-2026-000001", session_id=sender)
        assert await intruder.silence(2) == []  # a message outside its own session is ignored
    finally:
        await intruder.close()
    assert user_texts(stack, sender) == ["bonjour"]


# --- Faults ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("message", ["", "   "], ids=["empty", "blank"])
def test_an_empty_message_gets_a_french_answer(stack, sender, message):
    answer = texts(stack.say(sender, message))
    assert any(word in answer for word in ("reformuler", "compris", "phrase"))


@pytest.mark.parametrize("message", [
    "'; DROP TABLE votes; --",
    "<script>alert('x')</script> comment créer un compte",
    "😀😀😀 🚀",
    " ".join(["facture"] * 600),  # about 4 800 characters: within the limit
], ids=["sql", "html", "emoji", "long"])
def test_hostile_text_within_the_limits_is_answered_and_kept_verbatim(stack, sender, message):
    assert texts(stack.say(sender, message)).strip()
    assert user_texts(stack, sender)[-1] == message


def test_a_dead_action_server_is_explained_and_the_message_kept(stack, sender):
    stack.say(sender, "bonjour")
    stack.stop("actions")
    try:
        answer = texts(stack.say(sender, "je veux parler à un conseiller"))
        assert "incident technique" in answer
        assert "conservé" in answer
    finally:
        stack.start_actions(ASSISTANT_NOW=OPEN_TIME)
    assert "je veux parler à un conseiller" in user_texts(stack, sender)
    assert "conseiller" in texts(stack.say(sender, "je veux parler à un conseiller"))


MALFORMED = {
    "not_json": (b"sender=alice&message=bonjour", "json_invalide", "objet JSON"),
    "a_list": (b'["bonjour"]', "json_invalide", "objet JSON"),
    "no_sender": (b'{"message": "bonjour"}', "sender_requis", "« sender »"),
    "blank_sender": (b'{"sender": "  ", "message": "bonjour"}', "sender_requis", "« sender »"),
    "no_message": (b'{"sender": "x"}', "message_invalide", "« message »"),
    "number_message": (b'{"sender": "x", "message": 42}', "message_invalide", "« message »"),
    "list_metadata": (b'{"sender": "x", "message": "a", "metadata": [1]}', "metadata_invalide", "metadata"),
}


@pytest.mark.parametrize("body, code, words", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_rest_request_gets_a_french_reason(stack, body, code, words):
    status, answer = post(stack, body)
    assert status == 400
    assert answer["error"] == code
    assert words in answer["message"].replace("\u00a0", " ")


def test_a_malformed_request_stores_nothing_and_the_next_one_is_answered(stack, sender):
    post(stack, json.dumps({"sender": sender}).encode())
    assert user_texts(stack, sender) == []
    still_answered(stack, sender)
