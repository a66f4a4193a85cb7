"""Bad input gets a clear French answer and nothing the user wrote is lost."""

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
