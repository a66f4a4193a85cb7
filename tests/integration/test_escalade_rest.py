"""Misunderstandings and votes lead to the offer of a human, which knows the clock."""

import pytest
from sqlalchemy import select

from assistance.db.models import Vote
from tests.stack import payloads, texts

pytestmark = pytest.mark.both_backends

NONSENSE = ["qsdkjfh qlskdjf", "blorg fizzle wobble"]


def stored_votes(stack, sender) -> list[Vote]:
    with stack.core.db.session() as session:
        votes = session.scalars(select(Vote).where(Vote.conversation_id == sender)).all()
        session.expunge_all()
    return list(votes)


def test_one_misunderstanding_gives_tips_or_the_scope_not_an_offer(stack, sender):
    answer = texts(stack.say(sender, NONSENSE[0]))
    assert "phrase complète" in answer or "je réponds aux questions sur Chorus Pro" in answer
    assert "conseiller" not in answer
    assert stack.slot(sender, "nb_incompris") == 1


def test_two_misunderstandings_lead_to_the_advisor_offer(stack, sender):
    stack.say(sender, NONSENSE[0])
    stack.say(sender, "comment créer un compte ?")  # not consecutive: still counts
    answer = stack.say(sender, NONSENSE[1])
    assert "conseiller" in texts(answer)
    assert "/affirmer" in payloads(answer)
    assert stack.slot(sender, "nb_incompris") == 0  # reset once the offer is made
    assert stack.slot(sender, "motif_escalade") == "incompris"


def test_one_thumbs_down_leads_to_the_offer_and_is_stored_once(stack, sender):
    stack.say(sender, "comment créer un compte ?", {"profil": "fournisseur"})
    answer = stack.say(sender, "/vote_negatif")
    assert "Voulez-vous lui parler" in texts(answer)
    again = stack.say(sender, "/vote_negatif")
    assert "déjà enregistré" in texts(again)
    votes = stored_votes(stack, sender)
    assert [(v.value, v.topic, v.user_message, v.profil) for v in votes] == [
        (-1, "creer_compte", "comment créer un compte ?", "fournisseur")
    ]


def test_thumbs_up_thanks_and_is_stored(stack, sender):
    stack.say(sender, "comment activer mon compte, je n'ai pas reçu le lien")
    assert "Merci pour votre retour" in texts(stack.say(sender, "/vote_positif"))
    assert "déjà enregistré" in texts(stack.say(sender, "/vote_negatif"))
    assert [(v.value, v.topic) for v in stored_votes(stack, sender)] == [(1, "activer_compte")]


def test_a_vote_typed_as_text_rates_the_last_answer(stack, sender):
    stack.say(sender, "comment créer un compte ?")
    stack.say(sender, "j'ai oublié mon mot de passe")
    answer = stack.say(sender, "votre réponse ne m'aide pas")
    assert "conseiller" in texts(answer)
    assert [(v.value, v.topic) for v in stored_votes(stack, sender)] == [(-1, "mot_de_passe")]


def test_each_answer_gets_its_own_vote(stack, sender):
    stack.say(sender, "comment créer un compte ?")
    stack.say(sender, "/vote_positif")
    stack.say(sender, "j'ai oublié mon mot de passe")
    stack.say(sender, "/vote_positif")
    assert [v.topic for v in stored_votes(stack, sender)] == ["creer_compte", "mot_de_passe"]


def test_accepting_the_advisor_hands_over(stack, sender):
    stack.say(sender, "je veux parler à un conseiller")
    answer = texts(stack.say(sender, "oui"))
    assert "conseiller" in answer
    assert stack.slot(sender, "offre_escalade") is None


def test_declining_returns_to_normal_conversation(stack, sender):
    stack.say(sender, "je veux parler à un conseiller")
    assert "continuons" in texts(stack.say(sender, "non merci"))
    answer = stack.say(sender, "comment créer un compte ?")
    assert payloads(answer) == ["/vote_positif", "/vote_negatif"]


def test_outside_opening_hours_the_offer_is_a_written_request(closed_hours, sender):
    stack = closed_hours
    answer = stack.say(sender, "je veux parler à un conseiller")
    assert "rouvre lundi à 8 h 30" in texts(answer)
    assert "/rediger_sollicitation" in payloads(answer)
    assert "/affirmer" not in payloads(answer)
    assert stack.slot(sender, "offre_escalade") == "sollicitation"


def test_a_new_session_starts_the_counters_again(stack, sender):
    stack.say(sender, NONSENSE[0])
    assert stack.slot(sender, "nb_incompris") == 1
    stack.say(sender, "/session_start")
    assert stack.slot(sender, "nb_incompris") == 0
    answer = texts(stack.say(sender, NONSENSE[1]))
    assert "conseiller" not in answer  # first misunderstanding of the new session
    assert stack.slot(sender, "nb_incompris") == 1


def test_an_offer_left_unanswered_is_not_accepted_by_a_later_yes(stack, sender):
    stack.say(sender, "comment créer un compte ?")
    assert "Voulez-vous lui parler" in texts(stack.say(sender, "/vote_negatif"))
    stack.say(sender, "j'ai oublié mon mot de passe")  # the user asks something else instead
    assert stack.slot(sender, "offre_escalade") is None
    answer = texts(stack.say(sender, "oui"))
    assert "file d'attente" not in answer
    assert "Quelle est votre question" in answer
