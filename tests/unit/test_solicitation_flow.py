"""The solicitation form as a pure function: (draft, what the user typed) → (slot changes, what
is said, the next question). No Rasa, no database: every case is one call."""

import pytest

from assistance.settings import PROJECT_ROOT
from assistance.solicitations import flow
from assistance.solicitations.catalogue import load_catalogue
from assistance.solicitations.flow import Flow, Known

CATALOGUE = load_catalogue(PROJECT_ROOT / "conf" / "sollicitation_catalogue.yml")
RESPONSES = frozenset({"utter_wrong_sollicitation_siret_cle"})
LOGGED_IN = Known(logged_in=True, account_login="jeanne@menuiserie.fr", profil="fournisseur",
                  offers={"structure": "Menuiserie Durand", "email": "jeanne@menuiserie.fr"})
LOGGED_OUT = Known()


def turn(state, text=None, *, requested="keep", known=LOGGED_IN, stored=None):
    """One turn; `requested` defaults to the slot the state says was asked."""
    asked = state.get("requested_slot") if requested == "keep" else requested
    step = Flow(state, known, CATALOGUE, RESPONSES).turn(asked, text, stored=stored)
    return step, {**state, **step.changes, "requested_slot": step.requested}


def said(step) -> list[str]:
    return [s.response for s in step.said]


def routed(known=LOGGED_IN, subcategory="Mot de passe oublié ou compte bloqué"):
    """A draft with its category and subcategory chosen (tool support)."""
    step, state = turn({}, requested=None, known=known)
    _, state = turn(state, "Compte et connexion", known=known)
    return turn(state, subcategory, known=known)


def test_a_new_draft_starts_with_the_category():
    step, _ = turn({}, requested=None)
    assert said(step) == ["utter_sollicitation_intro"]
    assert step.requested == flow.CATEGORY


def test_a_stored_draft_is_resumed_with_its_reference():
    stored = {"categorie": "compte_connexion", "sous_categorie": "mot_de_passe",
              "description": "Compte bloqué après trois essais", "reference": "SOL-2026-000007"}
    step, state = turn({}, requested=None, stored=stored)
    assert said(step) == ["utter_sollicitation_reprise"]
    assert state[flow.REFERENCE] == "SOL-2026-000007"
    assert state[flow.slot_of("description")] == "Compte bloqué après trois essais"


def at_summary(known=LOGGED_IN):
    """A routed draft with its required fields given and the optional ones skipped."""
    _, state = routed(known)
    names = [name for name, _ in Flow(state, known, CATALOGUE).fields()]
    state = {
        **state,
        flow.slot_of("structure"): "Menuiserie Durand",
        flow.slot_of("description"): "Je ne peux plus me connecter à mon compte",
        flow.slot_of("nom"): "Paul Martin",
        flow.slot_of("email"): "paul@exemple.fr",
        flow.SKIPPED: [n for n in names if n not in ("structure", "description", "nom", "email")],
        flow.OFFERED_SLOT: None, flow.OFFERED_VALUE: None,
    }
    _, state = turn(state, requested=flow.SUMMARY, known=known)  # nothing to read: ask again
    return state


def test_the_subcategory_decides_the_destination_and_what_is_asked():
    step, state = routed()
    assert state[flow.DESTINATION] == "support_outil"
    assert said(step) == ["utter_sollicitation_destination"]
    # Logged in: the structure known from the website is offered for confirmation.
    assert step.requested == flow.slot_of("structure")
    assert state[flow.OFFERED_VALUE] == "Menuiserie Durand"


def test_a_logged_out_user_also_gives_a_name_and_an_e_mail():
    _, state = routed(LOGGED_OUT)
    fields = Flow(state, LOGGED_OUT, CATALOGUE).fields()
    assert ("nom", True) in fields and ("email", True) in fields
    assert ("nom", True) not in Flow(state, LOGGED_IN, CATALOGUE).fields()


def test_a_confirmed_offer_is_kept_and_a_refused_one_is_asked_again():
    _, state = routed()
    _, accepted = turn(state, "oui")
    assert accepted[flow.slot_of("structure")] == "Menuiserie Durand"
    step, refused = turn(state, "non")
    assert refused.get(flow.slot_of("structure")) is None and refused[flow.CORRECTING] == "structure"
    assert step.requested == flow.slot_of("structure") and refused[flow.OFFERED_VALUE] is None


def test_an_invalid_answer_gets_its_reason_and_the_question_again():
    _, state = routed(LOGGED_OUT)
    step, after = turn({**state, "requested_slot": flow.slot_of("email")}, "jeanne.menuiserie.fr",
                       known=LOGGED_OUT)
    assert said(step) == ["utter_wrong_sollicitation_email"]
    assert after.get(flow.slot_of("email")) is None


def test_a_required_field_cannot_be_skipped_but_an_optional_one_can():
    _, state = routed()
    _, skipped = turn({**state, "requested_slot": flow.slot_of("identifiant")}, "passer")
    assert skipped[flow.SKIPPED] == ["identifiant"]
    step, refused = turn({**state, "requested_slot": flow.slot_of("description")}, "passer")
    assert said(step) == ["utter_champ_obligatoire"]
    assert not refused.get(flow.SKIPPED)


def test_cancel_ends_the_form_and_restart_discards_the_stored_draft():
    _, state = routed()
    step, cancelled = turn(state, "annuler")
    assert cancelled[flow.OUTCOME] == "annulee" and step.requested is None
    step, restarted = turn({**state, flow.REFERENCE: "SOL-2026-000009"}, "recommencer")
    assert step.discard == "SOL-2026-000009"
    assert restarted[flow.CATEGORY] is None and step.requested == flow.CATEGORY


def test_the_summary_is_shown_then_validated():
    state = at_summary()
    assert state["requested_slot"] == flow.SUMMARY
    assert "Je ne peux plus me connecter à mon compte" in state[flow.SUMMARY_TEXT]
    assert "Téléphone : non renseigné" in state[flow.SUMMARY_TEXT]
    step, done = turn(state, "valider")
    assert done[flow.OUTCOME] == "validee" and step.requested is None
    record = Flow(done, LOGGED_IN, CATALOGUE).record(only_asked=True)
    assert record["destination"] == "support_outil"
    assert record["compte_identifiant"] == "jeanne@menuiserie.fr"


def test_correct_from_the_summary_asks_which_field_then_that_field():
    state = at_summary()
    step, choosing = turn(state, "non")
    assert step.requested == flow.FIELD_TO_CORRECT
    step, correcting = turn(choosing, "Téléphone")
    assert step.requested == flow.slot_of("telephone") and correcting[flow.CORRECTING] == "telephone"


@pytest.mark.parametrize(("text", "response"), [
    ("123", "utter_wrong_sollicitation_siret"),
    ("732 829 320 00075", "utter_wrong_sollicitation_siret_cle"),  # one digit off: the key fails
])
def test_a_siret_typo_is_told_apart_from_a_wrong_format(text, response):
    _, state = routed(LOGGED_OUT)
    state = {**state, "requested_slot": flow.slot_of("siret")}
    step, _ = turn(state, text, known=LOGGED_OUT)
    assert said(step) == [response]


def test_the_login_just_typed_is_offered_as_the_e_mail():
    _, state = routed(LOGGED_OUT)
    state = {**state, flow.slot_of("structure"): "Menuiserie Durand", flow.SKIPPED: ["siret"],
             "requested_slot": flow.slot_of("identifiant")}
    _, after = turn(state, "paul@exemple.fr", known=LOGGED_OUT)
    assert after["requested_slot"] == flow.slot_of("nom")
    _, offered = turn(after, "Paul Martin", known=LOGGED_OUT)
    assert offered["requested_slot"] == flow.slot_of("email")
    assert offered[flow.OFFERED_VALUE] == "paul@exemple.fr"
