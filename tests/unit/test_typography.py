"""French typography applied to every response at output time (nlg/typography.py)."""

import pytest

from nlg.typography import NBSP, french_typography, typeset_response


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        # The space before a double punctuation mark becomes a no-break space…
        ("Vous êtes connecté : parfait.", f"Vous êtes connecté{NBSP}: parfait."),
        ("Voulez-vous lui parler ?", f"Voulez-vous lui parler{NBSP}?"),
        ("Au revoir !", f"Au revoir{NBSP}!"),
        ("un code ; une clé", f"un code{NBSP}; une clé"),
        # … several spaces or a tab become one, and a missing one is added at the end of a word.
        ("Merci  !", f"Merci{NBSP}!"),
        ("Merci\t!", f"Merci{NBSP}!"),
        ("Pourquoi?", f"Pourquoi{NBSP}?"),
        ("Catégorie: Compte", f"Catégorie{NBSP}: Compte"),
        ("en 15 jours? oui", f"en 15 jours{NBSP}? oui"),
        ("« Oui »?", f"«{NBSP}Oui{NBSP}»{NBSP}?"),
        # Quotation marks get no-break spaces inside, added when missing.
        ("cliquez sur « Mot de passe oublié »", f"cliquez sur «{NBSP}Mot de passe oublié{NBSP}»"),
        ("«Soumettre»", f"«{NBSP}Soumettre{NBSP}»"),
        # A smiley keeps its space, now unbreakable; nothing is added inside it.
        ("Merci :)", f"Merci{NBSP}:)"),
        # The narrow no-break space a trainer may have typed becomes the chosen one.
        ("Bonjour\u202f!", f"Bonjour{NBSP}!"),
    ],
)
def test_no_break_spaces_where_french_wants_them(written, shown):
    assert french_typography(written) == shown


@pytest.mark.parametrize(
    "untouched",
    [
        "https://portail.chorus-pro.gouv.fr/aife_documentation?id=kb_article_view&sysparm_article=KB0012110",
        "de 8:30 à 18:30",
        "le ratio 1:1",
        "SOL-2026-000123",
        "👍",
        "👎",
        "24 h/24, 7 j/7",
        "5 – Très satisfait",
        "/noter_echange{\"note_echange\": \"5\"}",
        "ligne 1\n\nligne 2\n1. première étape\n2. seconde étape",
        "",
    ],
)
def test_urls_times_emoji_and_plain_text_are_left_alone(untouched):
    assert french_typography(untouched) == untouched


def test_urls_and_placeholders_inside_a_sentence_are_kept_but_the_sentence_is_typeset():
    text = "Adresse : https://api.piste.gouv.fr/cpro?x=1 ; référence {reference} : notée ?"
    assert french_typography(text) == (
        f"Adresse{NBSP}: https://api.piste.gouv.fr/cpro?x=1{NBSP}; "
        f"référence {{reference}}{NBSP}: notée{NBSP}?"
    )
    assert french_typography("« {categorie} » / « {sous_categorie} »") == (
        f"«{NBSP}{{categorie}}{NBSP}» / «{NBSP}{{sous_categorie}}{NBSP}»"
    )


def test_a_line_break_is_never_turned_into_a_space():
    assert french_typography("Voici :\n\n« texte »\n?") == f"Voici{NBSP}:\n\n«{NBSP}texte{NBSP}»\n?"


@pytest.mark.parametrize(
    "text",
    [
        "Vous êtes connecté : « Mes rattachements » ? Oui ! https://chorus-pro.gouv.fr ; 8:30",
        "«Soumettre»?Non",
        "Merci  ;  !",
    ],
)
def test_applying_it_twice_changes_nothing_more(text):
    once = french_typography(text)
    assert french_typography(once) == once


def test_a_response_gets_its_text_button_titles_and_notice_typeset_but_not_its_payloads():
    response = {
        "text": "Voulez-vous lui parler ?",
        "buttons": [{"title": "Oui !", "payload": "/affirmer"},
                    {"title": "5 – Très satisfait", "payload": '/noter_echange{"note_echange": "5"}'}],
        "custom": {"data": {"text": "Alice a rejoint la conversation : écrivez-lui.",
                            "conseiller": {"evenement": "rejoint", "nom": "Alice"}}},
    }
    typeset_response(response)
    assert response["text"] == f"Voulez-vous lui parler{NBSP}?"
    assert [b["title"] for b in response["buttons"]] == [f"Oui{NBSP}!", "5 – Très satisfait"]
    assert [b["payload"] for b in response["buttons"]] == ["/affirmer", '/noter_echange{"note_echange": "5"}']
    assert response["custom"]["data"]["text"] == f"Alice a rejoint la conversation{NBSP}: écrivez-lui."
    assert response["custom"]["data"]["conseiller"] == {"evenement": "rejoint", "nom": "Alice"}
