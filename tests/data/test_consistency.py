"""Fast checks on config + domain + data, without training or servers."""

from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_PREFIXES = ("utter_", "action_listen", "action_restart", "action_default_")
RASA_DEFAULT_CUSTOMISABLE = {"action_session_start"}
FAQ_TOPICS = {
    "creer_compte", "activer_compte", "mot_de_passe", "double_authentification",
    "adresse_connexion", "rattachement_structure", "gestionnaire_principal", "changement_siret",
    "deposer_facture", "formats_factures", "mentions_obligatoires", "brouillon_facture",
    "statut_facture", "facture_rejetee", "delai_paiement", "avoir", "cadre_facturation",
    "sous_traitance", "factures_travaux", "frais_justice", "remboursement_tic", "affacturage",
    "obligation_facturation", "reforme_2026", "api_piste", "suivi_sollicitation",
    "horaires_support",
}
CONTRACT_INTENTS = {
    "saluer", "au_revoir", "remercier", "affirmer", "nier", "bot_challenge", "hors_perimetre",
    "demander_conseiller", "rediger_sollicitation", "vote_positif", "vote_negatif", "faq",
}


@pytest.fixture(scope="module")
def importer():
    return TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"),
        str(ROOT / "domain"),
        [str(ROOT / "data")],
    )


@pytest.fixture(scope="module")
def domain(importer) -> Domain:
    return importer.get_domain()


@pytest.fixture(scope="module")
def nlu(importer):
    return importer.get_nlu_data()


def registered_actions() -> set[str]:
    executor = ActionExecutor()
    executor.register_package("actions")
    return set(executor.actions)


def test_every_custom_action_is_registered_and_the_reverse(domain):
    custom = {
        a for a in domain.user_actions
        if not a.startswith(BUILTIN_PREFIXES) and a not in domain.form_names
    }
    registered = registered_actions()
    form_validators = {f"validate_{form}" for form in domain.form_names}
    assert custom - registered == set(), "declared in the domain but no action server code"
    assert registered - custom - form_validators - RASA_DEFAULT_CUSTOMISABLE == set(), (
        "registered by the action server but not declared in the domain"
    )
    assert RASA_DEFAULT_CUSTOMISABLE <= registered


def test_the_intent_contract_is_kept(domain):
    assert CONTRACT_INTENTS <= set(domain.intents)


def test_every_faq_topic_has_examples_and_an_answer(nlu, domain):
    counts: dict[str, int] = {}
    for message in nlu.intent_examples:
        full = message.get_full_intent()
        counts[full] = counts.get(full, 0) + 1
    topics = {k.split("/", 1)[1] for k in counts if k.startswith("faq/")}
    assert topics == FAQ_TOPICS
    for topic in FAQ_TOPICS:
        assert counts[f"faq/{topic}"] >= 15, topic
        assert f"utter_faq/{topic}" in nlu.responses, topic
    for intent in CONTRACT_INTENTS - {"faq"}:
        assert counts.get(intent, 0) >= 15, intent


HELD_OUT = ["test_nlu.yml", "test_nlu_blind.yml"]


@pytest.mark.parametrize("name", HELD_OUT)
def test_no_held_out_example_is_in_the_training_data(nlu, name):
    from rasa.shared.nlu.training_data.loading import load_data

    training = {m.get("text").strip().lower() for m in nlu.intent_examples}
    held_out = load_data(str(ROOT / "tests" / "nlu" / name))
    leaked = [m.get("text") for m in held_out.intent_examples if m.get("text").strip().lower() in training]
    assert leaked == []


def test_the_blind_set_is_big_enough_and_covers_every_label():
    from rasa.shared.nlu.training_data.loading import load_data

    blind = load_data(str(ROOT / "tests" / "nlu" / "test_nlu_blind.yml"))
    assert len(blind.intent_examples) >= 300
    labels = {m.get_full_intent() for m in blind.intent_examples}
    assert {f"faq/{topic}" for topic in FAQ_TOPICS} <= labels
    # Its plain greetings (« bonjour », « salut ») were all training examples already: removed.
    assert len((CONTRACT_INTENTS - {"faq"}) & labels) >= len(CONTRACT_INTENTS) - 2


def test_held_out_set_covers_every_topic_five_times():
    from rasa.shared.nlu.training_data.loading import load_data

    held_out = load_data(str(ROOT / "tests" / "nlu" / "test_nlu.yml"))
    counts: dict[str, int] = {}
    for message in held_out.intent_examples:
        counts[message.get_full_intent()] = counts.get(message.get_full_intent(), 0) + 1
    for topic in FAQ_TOPICS:
        assert counts.get(f"faq/{topic}", 0) >= 5, topic


def test_every_form_slot_can_be_filled_and_asked(domain):
    for form in domain.form_names:
        required = domain.forms[form].get("required_slots", [])
        for slot_name in required:
            assert any(s.name == slot_name for s in domain.slots), slot_name
            mappings = next(s for s in domain.slots if s.name == slot_name).mappings
            assert mappings, f"{form}: slot {slot_name} has no mapping"
            asked = {f"utter_ask_{slot_name}", f"utter_ask_{form}_{slot_name}",
                     f"action_ask_{slot_name}", f"action_ask_{form}_{slot_name}"}
            assert asked & (set(domain.responses) | set(domain.user_actions)), slot_name


def test_every_data_file_declares_version_3_1():
    files = [*ROOT.glob("domain/*.yml"), *ROOT.glob("data/**/*.yml"), *ROOT.glob("tests/**/*.yml")]
    for path in files:
        assert yaml.safe_load(path.read_text()).get("version") == "3.1", path
