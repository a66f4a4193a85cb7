"""The website's metadata becomes slots, and FAQ answers vary with those slots."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.profile import PROFILS, ActionSessionStart, profile_slots

ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_widget_metadata_becomes_slots():
    metadata = {
        "utilisateur": {
            "connecte": True,
            "profil": "structure_publique",
            "identifiant": "marie.durand@mairie-exemple.fr",
            "structure": "Mairie d'Exemple",
            "siret": "130 025 265 00013",
        },
        "user_agent": USER_AGENT,
    }
    assert slots(profile_slots(metadata)) == {
        "profil": "structure_publique",
        "connecte": True,
        "identifiant": "marie.durand@mairie-exemple.fr",
        "structure": "Mairie d'Exemple",
        "siret": "13002526500013",
        "navigateur": USER_AGENT,
    }


def test_flat_metadata_from_a_rest_caller_is_read_too():
    metadata = {"connecte": "true", "profil": "agriculteur", "user_agent": "curl/8.0"}
    values = slots(profile_slots(metadata))
    assert values["profil"] == "agriculteur"
    assert values["connecte"] is True
    assert values["navigateur"] == "curl/8.0"


@pytest.mark.parametrize("metadata", [None, {}, "texte", ["liste"], {"utilisateur": "x"}])
def test_missing_metadata_means_anonymous_visitor(metadata):
    values = slots(profile_slots(metadata))
    assert values == {
        "profil": None,
        "connecte": False,
        "identifiant": None,
        "structure": None,
        "siret": None,
        "navigateur": None,
    }


@pytest.mark.parametrize(
    ("utilisateur", "slot", "expected"),
    [
        ({"profil": "pirate"}, "profil", None),
        ({"profil": {"nested": 1}}, "profil", None),
        ({"connecte": "false"}, "connecte", False),
        ({"connecte": "yes please"}, "connecte", False),
        ({"connecte": 1}, "connecte", False),
        ({"siret": "12345678901234"}, "siret", None),  # fails the check digit
        ({"siret": "not a number"}, "siret", None),
        ({"identifiant": "a" * 500}, "identifiant", "a" * 200),
        ({"structure": "  Mairie\nd'Exemple\t "}, "structure", "Mairie d'Exemple"),
        ({"structure": ["a", "b"]}, "structure", None),
        ({"identifiant": True}, "identifiant", None),
    ],
)
def test_malformed_values_are_dropped_or_cleaned(utilisateur, slot, expected):
    assert slots(profile_slots({"utilisateur": utilisateur}))[slot] == expected


async def test_session_start_sets_the_slots_between_session_started_and_listen():
    tracker = Tracker(
        sender_id="visiteur",
        slots={"session_started_metadata": {"utilisateur": {"profil": "fournisseur", "connecte": True}}},
        latest_message={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, tracker, {})
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    assert slots(events)["profil"] == "fournisseur"
    assert slots(events)["connecte"] is True
    assert dispatcher.messages == []


# --- FAQ answers that depend on the profile or on being logged in -------------------------


def faq_responses() -> dict[str, list[dict]]:
    responses: dict[str, list[dict]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("faq_*.yml")):
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return responses


def conditional(responses: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {
        name: variations
        for name, variations in responses.items()
        if any(v.get("condition") for v in variations)
    }


def test_at_least_eight_faq_answers_vary_with_profile_or_login():
    varying = conditional(faq_responses())
    assert len(varying) >= 8, sorted(varying)


def test_conditions_only_use_known_slots_and_values():
    for name, variations in conditional(faq_responses()).items():
        for variation in variations:
            for condition in variation.get("condition") or []:
                assert condition["type"] == "slot", name
                if condition["name"] == "profil":
                    assert condition["value"] in PROFILS, name
                else:
                    assert condition["name"] == "connecte", name
                    assert isinstance(condition["value"], bool), name


VISITORS = list(itertools.product([None, *sorted(PROFILS)], [False, True]))


@pytest.mark.parametrize(("profil", "connecte"), VISITORS)
def test_every_visitor_gets_exactly_one_answer_for_each_question(profil, connecte):
    """A default variation always exists, and at most one conditional variation fits a visitor,
    so that what a visitor reads does not depend on chance."""
    responses = faq_responses()
    filled = {"profil": profil, "connecte": connecte}
    generator = TemplatedNaturalLanguageGenerator(responses)
    for name, variations in responses.items():
        assert any(not v.get("condition") for v in variations), f"{name} has no default variation"
        candidates = {
            generator.generate_from_slots(name, filled, "socketio")["text"] for _ in range(20)
        }
        assert len(candidates) == 1, f"{name} varies at random for {filled}"


def test_public_structure_and_supplier_read_different_facts():
    generator = TemplatedNaturalLanguageGenerator(faq_responses())

    def text(name: str, **filled) -> str:
        return generator.generate_from_slots(name, {"connecte": False, **filled}, "socketio")["text"]

    assert "vos fournisseurs" in text("utter_faq/deposer_facture", profil="structure_publique")
    assert "Déposer une facture sur Chorus Pro est gratuit" in text(
        "utter_faq/deposer_facture", profil="fournisseur"
    )
    assert "Vous êtes actuellement connecté" in text("utter_faq/creer_compte", connecte=True)
    assert "Vous êtes actuellement connecté" in text(
        "utter_faq/creer_compte", connecte=True, profil="structure_publique"
    )
    assert "Créer un compte" in text("utter_faq/creer_compte")
