"""A REST caller asks French questions and gets the right answers, with vote buttons."""

import pytest

from tests.stack import payloads, texts


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("comment créer un compte ?", "Créer un compte"),
        ("j'ai oublié mon mot de passe, je fais comment", "Mot de passe oublié"),
        ("c koi le cadre de facturation A9", "A9"),
        ("quand est-ce que je serai payé pour ma facture ?", "30 jours"),
        ("ma facture est au statut a recycler que faire", "recycler"),
    ],
)
def test_a_french_question_gets_its_answer_with_vote_buttons(stack, sender, question, expected):
    answer = stack.say(sender, question)
    assert expected.lower() in texts(answer).lower()
    assert payloads(answer) == ["/vote_positif", "/vote_negatif"]
    # A long answer comes as several messages (one per paragraph): the votes are on the last one.
    assert [b["title"] for b in answer[-1]["buttons"]] == ["👍", "👎"]
    assert all("buttons" not in message for message in answer[:-1])


def test_out_of_scope_question_is_politely_refused(stack, sender):
    answer = texts(stack.say(sender, "quel temps fera-t-il demain à Lyon ?"))
    assert "Je ne peux pas vous aider sur ce sujet" in answer
    assert "Chorus Pro" in answer
    assert stack.slot(sender, "nb_incompris") == 1


def test_greeting_presents_the_assistant(stack, sender):
    assert "Claud.IA" in texts(stack.say(sender, "bonjour"))


def test_logged_in_user_gets_the_logged_in_variation(stack, sender):
    metadata = {"connecte": True, "profil": "fournisseur", "identifiant": "jean@exemple.fr"}
    answer = texts(stack.say(sender, "comment je fais pour suivre ma sollicitation ?", metadata))
    logged_out = texts(stack.say(f"{sender}-anonyme", "comment je fais pour suivre ma sollicitation ?"))
    assert answer != logged_out
    assert stack.slot(sender, "identifiant") == "jean@exemple.fr"
    assert stack.slot(sender, "connecte") is True
