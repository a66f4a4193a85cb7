"""Bad input gets a clear French answer and nothing the user wrote is lost."""

import json
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import OPEN_TIME
from tests.stack import texts

HOSTILE = [
    "'; DROP TABLE votes; --",
    "<script>alert('x')</script> comment créer un compte",
    "😀😀😀 🚀",
    " ".join(["facture"] * 1500),  # about 12 000 characters
]
HOSTILE_IDS = ["sql", "html", "emoji", "huge"]


def user_texts(stack, sender) -> list[str]:
    return [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_message_gets_a_french_answer(stack, sender, message):
    answer = texts(stack.say(sender, message))
    assert answer.strip()
    assert any(word in answer for word in ("reformuler", "compris", "phrase"))


@pytest.mark.parametrize("message", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_or_huge_text_gets_an_answer_and_is_kept_verbatim(stack, sender, message):
    answer = stack.say(sender, message)
    assert texts(answer).strip()
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


def post_raw(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("body, code, words", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_rest_request_gets_a_french_reason(stack, body, code, words):
    status, answer = post_raw(f"{stack.rasa_url}/webhooks/rest/webhook", body)
    assert status == 400
    assert answer["error"] == code
    assert words in answer["message"]


def test_a_malformed_request_stores_nothing_and_the_next_one_is_answered(stack, sender):
    post_raw(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps({"sender": sender}).encode())
    assert user_texts(stack, sender) == []
    assert "compte" in texts(stack.say(sender, "comment créer un compte ?"))
