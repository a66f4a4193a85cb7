"""The shipped catalogue (routing table) and the checks that protect operators editing it."""

import copy
import os
from pathlib import Path

import pytest
import yaml

from assistance.solicitations.catalogue import InvalidCatalogue, load_catalogue, parse_catalogue
from assistance.solicitations.draft import FIELDS
from assistance.solicitations.text import format_text

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_FILE = ROOT / "conf" / "sollicitation_catalogue.yml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(CATALOGUE_FILE)


def test_the_file_says_it_is_operator_configuration_not_the_official_list():
    header = CATALOGUE_FILE.read_text(encoding="utf-8")[:1500]
    assert "OPERATOR CONFIGURATION" in header
    assert "NOT THE OFFICIAL AIFE LIST" in header


def test_only_the_documented_pair_is_marked_as_a_portal_label(catalogue):
    marked = [
        (c.label, s.label)
        for c in catalogue.categories
        for s in c.subcategories
        if c.is_portal_label and s.is_portal_label
    ]
    assert marked == [("Gestion des structures et utilisateurs", "Demande de création de structure publique")]


@pytest.mark.parametrize(
    ("categorie", "sous_categorie", "destination"),
    [
        # Using the portal, accounts, technical errors: the Chorus Pro tool support.
        ("compte_connexion", "mot_de_passe", "support_outil"),
        ("compte_connexion", "double_authentification", "support_outil"),
        ("structures_utilisateurs", "creation_structure_publique", "support_outil"),
        ("structures_utilisateurs", "gestionnaire_principal", "support_outil"),
        ("depot_factures", "erreur_depot", "support_outil"),
        ("raccordement", "api_piste", "support_outil"),
        ("frais_justice", "saisie_memoire", "support_outil"),
        ("remboursement_tic", "saisie_demande_tic", "support_outil"),
        # An invoice, a mémoire, a TIC refund and their follow-up: the business service.
        ("suivi_facture", "retard_paiement", "service_destinataire"),
        ("suivi_facture", "facture_rejetee", "service_destinataire"),
        ("suivi_facture", "contestation_montant", "service_destinataire"),
        ("frais_justice", "suivi_memoire", "service_destinataire"),
        ("remboursement_tic", "suivi_demande_tic", "service_destinataire"),
        ("autre", "question_entite_publique", "service_destinataire"),
    ],
)
def test_routing_table(catalogue, categorie, sous_categorie, destination):
    assert catalogue.destination(categorie, sous_categorie) == destination


def test_unknown_or_mismatched_pairs_have_no_destination(catalogue):
    assert catalogue.destination("compte_connexion", "retard_paiement") is None
    assert catalogue.destination("inconnue", "mot_de_passe") is None
    assert catalogue.destination(None, None) is None


def test_every_pair_goes_to_a_known_destination(catalogue):
    for category in catalogue.categories:
        assert category.subcategories
        for subcategory in category.subcategories:
            assert subcategory.destination in catalogue.destinations


def test_the_business_service_needs_the_file_references(catalogue):
    asked = dict(catalogue.fields_to_ask("service_destinataire", logged_in=True))
    assert asked["references"] is True
    assert asked["description"] is True and asked["structure"] is True
    # Nothing about the portal itself: no browser, steps or error message.
    assert {"navigateur", "etapes", "message_erreur"}.isdisjoint(asked)


def test_the_tool_support_asks_technical_details_but_references_are_optional(catalogue):
    asked = dict(catalogue.fields_to_ask("support_outil", logged_in=True))
    assert asked["references"] is False
    assert {"navigateur", "etapes", "message_erreur", "telephone", "identifiant"} <= set(asked)
    assert {"nom", "email", "siret"}.isdisjoint(asked)  # known from the account


def test_a_logged_out_user_also_gives_siret_and_contact_details(catalogue):
    for destination in catalogue.destinations:
        asked = dict(catalogue.fields_to_ask(destination, logged_in=False))
        assert asked["nom"] is True and asked["email"] is True
        assert asked["siret"] is False  # asked, but a structure without SIRET can skip it


def test_extra_fields_are_added_only_when_offered(catalogue):
    asked = [c for c, _ in catalogue.fields_to_ask("support_outil", True, {"siret", "transcription"})]
    assert "siret" in asked and asked[-1] == "transcription"
    assert [c for c, _ in catalogue.fields_to_ask("support_outil", True, {"nom"})] == [
        c for c, _ in catalogue.fields_to_ask("support_outil", True)
    ]


def test_fields_come_in_the_conversation_order(catalogue):
    asked = [c for c, _ in catalogue.fields_to_ask("support_outil", logged_in=False)]
    assert asked == [c for c in FIELDS if c in asked]
    assert asked[:2] == ["structure", "siret"]


def test_every_field_and_the_routing_can_be_named_to_correct_it(catalogue):
    aliases = catalogue.aliases()
    for field in [*FIELDS, "categorie", "sous_categorie"]:
        assert aliases[field] == field
    assert aliases["telephone"] == "telephone" and aliases["tel"] == "telephone"
    assert aliases["sous-categorie"] == "sous_categorie"
    assert aliases["message d'erreur"] == "message_erreur"


def test_codes_are_unique_and_labels_are_set(raw):
    codes = [c["code"] for c in raw["categories"]]
    codes += [s["code"] for c in raw["categories"] for s in c["sous_categories"]]
    assert len(codes) == len(set(codes))


def test_the_text_of_a_draft(catalogue):
    values = {
        "categorie_libelle": "Compte et connexion",
        "sous_categorie_libelle": "Double authentification",
        "destination_libelle": "Support Chorus Pro (utilisation du portail)",
        "structure": "Menuiserie Durand",
        "telephone": "+33 6 12 34 56 78",
        "description": "Je ne reçois pas le code de double authentification",
        "etapes": "1. connexion\n2. saisie du mot de passe",
    }
    text = format_text(values, catalogue, reference="SOL-2026-000123")
    assert text == (
        "Catégorie : Compte et connexion\n"
        "Sous-catégorie : Double authentification\n"
        "Destinataire : Support Chorus Pro (utilisation du portail)\n"
        "\n"
        "Titre / résumé : Je ne reçois pas le code de double authentification\n"
        "\n"
        "Structure émettrice : Menuiserie Durand\n"
        "Téléphone : +33 6 12 34 56 78\n"
        "Étapes ayant mené au problème :\n1. connexion\n2. saisie du mot de passe\n"
        "\n"
        "Référence du brouillon : SOL-2026-000123"
    )


def test_the_summary_shows_skipped_fields(catalogue):
    text = format_text({"structure": "ACME"}, catalogue, fields=["structure", "telephone"])
    assert "Structure émettrice : ACME\nTéléphone : non renseigné" in text


# --- What an operator may get wrong ---------------------------------------------------------------


def broken(raw: dict, change) -> dict:
    data = copy.deepcopy(raw)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["categories"][0]["sous_categories"][0].update(destination="ailleurs"),
         "unknown destination ailleurs"),
        (lambda d: d["categories"][1].update(code=d["categories"][0]["code"]), "duplicate code"),
        (lambda d: d["categories"][0].update(sous_categories=[]), "no sous_categories"),
        (lambda d: d["categories"][0].pop("libelle"), "`libelle` is missing"),
        (lambda d: d["destinations"]["support_outil"]["champs_facultatifs"].append("age"),
         "unknown fields ['age']"),
        (lambda d: d["destinations"]["support_outil"]["champs_obligatoires"].remove("description"),
         "description must be required"),
        (lambda d: d["champs"].pop("telephone"), "no label for ['telephone']"),
        (lambda d: d["libelles"].pop("non_renseigne"), "libelles: missing"),
        (lambda d: d.update(categories=[]), "at least one"),
    ],
)
def test_a_broken_catalogue_is_refused_with_a_clear_message(raw, change, message):
    with pytest.raises(InvalidCatalogue, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_catalogue(broken(raw, change))


def test_the_catalogue_is_read_again_when_the_file_changes(tmp_path, raw):
    path = tmp_path / "catalogue.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load_catalogue(path).categories[0].label == "Compte et connexion"
    changed = broken(raw, lambda d: d["categories"][0].update(libelle="Connexion au portail"))
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    os.utime(path, (1, 1))  # a different modification time, whatever the clock resolution
    assert load_catalogue(path).categories[0].label == "Connexion au portail"
