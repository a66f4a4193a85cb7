"""Every validator and reader of assistance/validation.py, on what users really type."""

import pytest

from assistance.validation import (
    LENGTH_LIMITS,
    Command,
    InvalidAnswer,
    choose,
    describe_browser,
    find_reference,
    free_text,
    normalise,
    read_command,
    read_yes_no,
    validate_email,
    validate_field,
    validate_login,
    validate_phone,
    validate_siret,
)

ALIASES = {"telephone": "telephone", "tel": "telephone", "categorie": "categorie",
         "message d'erreur": "message_erreur", "identifiant": "identifiant"}


def reason(function, *args) -> str:
    with pytest.raises(InvalidAnswer) as error:
        function(*args)
    return error.value.reason


# --- Phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01 23 45 67 89", "+33 1 23 45 67 89"),
        ("0612345678", "+33 6 12 34 56 78"),
        ("06.12.34.56.78", "+33 6 12 34 56 78"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("0033 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("+32 2 555 12 34", "+32 2 555 12 34"),  # Brussels
        ("+1 202-555-0175", "+1 202-555-0175"),
        ("0590 27 12 34", "+590 590 27 12 34"),  # Guadeloupe, dialled as a French number
        ("0262 16 12 34", "+262 262 16 12 34"),  # La Réunion
    ],
)
def test_valid_phone_numbers_are_stored_in_international_format(typed, stored):
    assert validate_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "06 12 34", "pas de téléphone", "+33 6 12 34 56 78 90 12",
                                   "0612345678" * 5, "'; DROP TABLE sollicitations; --"])
def test_invalid_phone_numbers_are_refused(typed):
    assert reason(validate_phone, typed) == "format"


def test_an_empty_phone_number_is_refused():
    assert reason(validate_phone, "  ") == "vide"


# --- SIRET -----------------------------------------------------------------------------------


def test_a_valid_siret_is_stored_compact():
    assert validate_siret("732 829 320 00074") == "73282932000074"
    assert validate_siret("73282932000074") == "73282932000074"


def test_a_siret_with_a_typo_fails_its_checksum():
    assert reason(validate_siret, "73282932000075") == "cle"


@pytest.mark.parametrize("typed", ["7328293200007", "732829320000741", "ABCDEFGHIJKLMN", "siret"])
def test_a_siret_without_14_digits_is_refused(typed):
    assert reason(validate_siret, typed) == "format"


# --- E-mail and identifiers --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["jean.dupont@exemple.fr", "j+chorus@mairie-lyon.gouv.fr",
                                   "TECH_1_ABC@cpro.fr"])
def test_valid_emails(typed):
    assert validate_email(f"  {typed} ") == typed


@pytest.mark.parametrize("typed", ["jean.dupont", "jean@", "@exemple.fr", "jean dupont@exemple.fr",
                                   "jean@exemple", "jean..dupont@exemple.fr", "<b>a</b>@x.fr"])
def test_invalid_emails(typed):
    assert reason(validate_email, typed) == "format"


def test_an_identifier_is_one_word_not_necessarily_an_email():
    assert validate_login("ancienne.adresse@societe-fermee.fr") == "ancienne.adresse@societe-fermee.fr"
    assert validate_login("TECH_1_ABC@cpro.fr") == "TECH_1_ABC@cpro.fr"
    assert reason(validate_login, "jean dupont") == "format"


# --- Free text: verbatim, within limits -------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Robert'); DROP TABLE sollicitations;--",
        "<script>alert('x')</script> <b>gras</b>",
        "Le dépôt échoue 😡🔥 — « erreur 500 »",
        "ligne 1\nligne 2\n\tligne 3",
    ],
)
def test_hostile_looking_text_is_kept_verbatim(typed):
    assert free_text(typed, "etapes") == typed


def test_surrounding_blanks_are_removed():
    assert free_text("   Menuiserie Durand  \n", "structure") == "Menuiserie Durand"


def test_too_long_text_says_how_long_and_the_limit():
    with pytest.raises(InvalidAnswer) as error:
        free_text("x" * 10_000, "etapes")
    assert error.value.reason == "trop_long"
    assert error.value.details == {"limite": LENGTH_LIMITS["etapes"][1], "longueur": 10_000}


def test_text_at_the_limit_is_accepted():
    maximum = LENGTH_LIMITS["description"][1]
    assert len(free_text("é" * maximum, "description")) == maximum


def test_too_short_text_says_the_minimum():
    with pytest.raises(InvalidAnswer) as error:
        free_text("bug", "description")
    assert (error.value.reason, error.value.details) == ("trop_court", {"limite": 10})


def test_control_characters_are_refused():
    assert reason(free_text, "abc\x00def", "etapes") == "caracteres"
    assert reason(free_text, "\x1b[31mrouge", "etapes") == "caracteres"


def test_empty_text_is_refused():
    assert reason(free_text, " \n ", "nom") == "vide"


def test_validate_field_dispatches_on_the_field():
    assert validate_field("telephone", "0612345678") == "+33 6 12 34 56 78"
    assert validate_field("structure", "ACME") == "ACME"
    assert reason(validate_field, "email", "pas un mail") == "format"


# --- Short answers and commands ----------------------------------------------------------------


def test_normalise():
    assert normalise("  « Corriger   LE Téléphone » ! ") == "corriger le telephone"
    assert normalise("C’est bien ça.") == "c'est bien ca"


@pytest.mark.parametrize("typed", ["oui", "Oui !", "ok", "OUI c'est ça", "c'est bien ça", "/affirmer",
                                   "d'accord", "exact"])
def test_yes(typed):
    assert read_yes_no(typed) is True


@pytest.mark.parametrize("typed", ["non", "Non.", "non c'est pas ça", "/nier", "pas du tout"])
def test_no(typed):
    assert read_yes_no(typed) is False


@pytest.mark.parametrize("typed", ["jean@exemple.fr", "Menuiserie Durand",
                                   "non seulement le dépôt échoue mais en plus le message d'erreur "
                                   "ne dit rien de plus que ce que je vous ai déjà écrit"])
def test_neither_yes_nor_no(typed):
    assert read_yes_no(typed) is None


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("annuler", Command("annuler")),
        ("Annuler !", Command("annuler")),
        ("je veux annuler", Command("annuler")),
        ("passer", Command("passer")),
        ("Pas de message d'erreur", Command("passer")),
        ("recommencer", Command("recommencer")),
        ("corriger", Command("corriger")),
        ("corriger le téléphone", Command("corriger", "telephone")),
        ("Corriger la catégorie", Command("corriger", "categorie")),
        ("corriger l'identifiant", Command("corriger", "identifiant")),
        ("corriger le message d'erreur", Command("corriger", "message_erreur")),
    ],
)
def test_commands(typed, command):
    assert read_command(typed, ALIASES) == command


@pytest.mark.parametrize("typed", ["je veux annuler ma facture", "modifier le téléphone",
                                   "corriger ma facture déposée hier", "passer une commande publique"])
def test_answers_that_look_like_commands_stay_answers(typed):
    assert read_command(typed, ALIASES) is None


def test_at_the_summary_other_verbs_and_unknown_fields_ask_which_field():
    assert read_command("modifier le téléphone", ALIASES, at_summary=True) == Command(
        "corriger", "telephone")
    assert read_command("changer un truc", ALIASES, at_summary=True) == Command("corriger")


OPTIONS = [("compte_connexion", "Compte et connexion"),
           ("structures_utilisateurs", "Gestion des structures et utilisateurs"),
           ("remboursement_tic", "Remboursement TIC")]


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Compte et connexion", "compte_connexion"), ("compte et connexion", "compte_connexion"),
     ("gestion des structures et utilisateurs", "structures_utilisateurs"), ("2", "structures_utilisateurs"),
     ("TIC", "remboursement_tic"), ("remboursement_tic", "remboursement_tic")],
)
def test_choices_by_label_number_code_or_unique_part(typed, code):
    assert choose(typed, OPTIONS) == code


@pytest.mark.parametrize("typed", ["", "4", "0", "co", "facture", "et"])
def test_unknown_or_ambiguous_choices(typed):
    assert choose(typed, OPTIONS) is None


@pytest.mark.parametrize(
    ("typed", "reference"),
    [("montre-moi SOL-2026-000123", "SOL-2026-000123"), ("sol-2026-000031 svp", "SOL-2026-000031"),
     ("la SOL 2026 001234", "SOL-2026-001234"), ("SOL-2026-1234567", "SOL-2026-1234567")],
)
def test_references_are_found_and_normalised(typed, reference):
    assert find_reference(typed) == reference


@pytest.mark.parametrize("typed", ["SOL-2026-12", "ma sollicitation", None, "XSOL-2026-000123"])
def test_no_reference(typed):
    assert find_reference(typed) is None


# --- Browser from the user agent -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
         "Firefox 128.0 (Windows 10)"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87", "Edge 126.0.2592 (Windows 10)"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.5 Safari/605.1.15", "Safari 17.5 (Mac OS X 10.15.7)"),
    ],
)
def test_the_browser_is_described_from_the_user_agent(user_agent, described):
    assert describe_browser(user_agent) == described


@pytest.mark.parametrize("user_agent", [None, "", "curl/8.5.0", 42,
                                        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"])
def test_no_browser_no_description(user_agent):
    assert describe_browser(user_agent) is None


# --- What the chat shows and what the conversation tells (assistance/solicitations/flow.py) ---


def test_a_draft_is_shown_in_one_bubble_that_rasa_can_interpolate():
    from assistance.solicitations.flow import one_bubble

    assert one_bubble("Catégorie : A\n\nTitre : B\n \n\nSIRET : C") == "Catégorie : A\nTitre : B\nSIRET : C"
    assert "0[" not in one_bubble("Facture 2020[1]")
    assert one_bubble("Facture 2020[1]").replace("\u200b", "") == "Facture 2020[1]"
