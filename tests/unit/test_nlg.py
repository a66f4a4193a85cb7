"""The response generator of the Rasa server (nlg/faq_votes.py): vote buttons and typography."""

from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from nlg.faq_votes import VOTE_BUTTONS, FaqVoteNLG
from nlg.typography import NBSP

DOMAIN = Domain.from_dict({
    "version": "3.1",
    "responses": {
        "utter_faq/horaires_support": [{"text": "Le chat est-il ouvert ? Oui : du lundi au vendredi."}],
        "utter_sollicitation_destination": [{"text": "Cette demande sera adressée à : {destination}."}],
        "utter_proposer_conseiller": [{"text": "Voulez-vous lui parler ?",
                                       "buttons": [{"title": "Non merci !", "payload": "/nier"}]}],
    },
})


async def generate(name: str, **kwargs):
    tracker = DialogueStateTracker("test", slots=[])
    return await FaqVoteNLG(domain=DOMAIN).generate(name, tracker, "rest", **kwargs)


async def test_an_faq_answer_gets_the_vote_buttons_and_french_typography():
    response = await generate("utter_faq/horaires_support")
    assert response["text"] == f"Le chat est-il ouvert{NBSP}? Oui{NBSP}: du lundi au vendredi."
    assert response["buttons"] == VOTE_BUTTONS


async def test_our_text_is_typeset_but_the_values_put_in_it_are_shown_as_they_are():
    typed = "Robert'); DROP TABLE x;-- «vraiment» a: b"
    response = await generate("utter_sollicitation_destination", destination=typed)
    assert response["text"] == f"Cette demande sera adressée à{NBSP}: {typed}."
    assert not response.get("buttons")


async def test_button_titles_are_typeset_and_no_vote_buttons_outside_faq_answers():
    response = await generate("utter_proposer_conseiller")
    assert response["text"] == f"Voulez-vous lui parler{NBSP}?"
    assert response["buttons"] == [{"title": f"Non merci{NBSP}!", "payload": "/nier"}]


async def test_an_unknown_response_is_none():
    assert await generate("utter_inconnue") is None
