"""Every response and every variation, as the user reads it: short bubbles, one vocabulary, no
claim our fact base marks unverified, no promise the assistant cannot keep.

Responses are read as scripts/response_lengths.py reads them: split into messages at blank lines
(what the channels do), placeholders filled with plausible values.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
import yaml

from nlg.typography import french_typography
from scripts.response_lengths import (
    DOCUMENTS,
    MAX_MESSAGE,
    PLACEHOLDER,
    PLAUSIBLE,
    ROOT,
    is_document,
    messages,
    paragraphs,
    variations,
)

VARIATIONS = list(variations())
IDS = [v.label for v in VARIATIONS]

# Portal labels (in « ») that contain the word « ticket »: the only place it may appear.
PORTAL_LABELS_WITH_TICKET = ["Créer un ticket de support"]

# What /work/shared/knowledge/chorus_pro_facts.md marks unverified (or outdated since
# 1 September 2026), and what the assistant cannot do: none of it may be said.
FORBIDDEN = {
    r"\b15\s*€|15 000": "penalty of the B2B reform: single press source (facts §5.12)",
    r"resterait|plateforme de référence|plateforme d'émission":
        "Chorus Pro's role in the 2026 reform: KB0012110 not read (facts §5.9, T24)",
    r"31 août 2026|rien ne change": "the reform calendar is past 1 September 2026",
    r"navigateurs? (?:compatibles?|supportés?|recommandés?|conseillés?)":
        "supported browsers (facts §5.6)",
    r"«\s*(?:En cours de traitement|[AÀ] compléter|Clôturée)\s*»":
        "literal status labels of a sollicitation (facts §5.2)",
    r"\b\d+\s*(?:Ko|Mo|Go)\b": "file size limits (facts §5.3, §5.8)",
    r"\bKbis\b": "documents asked to appoint a new gestionnaire principal (facts §5.4)",
    r"50 mémoires|compte restreint": "restricted justice accounts: old portal only (facts T19)",
    r"demandez-moi le suivi|je (?:peux|vais) (?:suivre|retrouver) votre (?:facture|mémoire)":
        "the assistant cannot look up an invoice or a mémoire",
    r"je (?:vous )?(?:renvoie|renverrai|peux renvoyer|vais renvoyer) (?:le|un nouveau) lien":
        "the assistant cannot resend an activation link",
}
VOCABULARY = {
    r"\bassistant\b": "Claud.IA is « l'assistante » (feminine)",
    r"live\s*chat|chat en direct": "the live chat is « le chat avec un conseiller »",
}
# « dites-moi « … » », « tapez « … » »: a phrase the user is told to type.
TOLD_TO_TYPE = re.compile(
    r"(?:dites(?:-moi)?|écrivez(?:-moi)?|en écrivant|tapez|demandez(?:-moi)?)\s+"
    r"(?:simplement\s+)?(?:\(?par exemple\s+)?«\s*([^»]+?)\s*»",
    re.IGNORECASE,
)


def plain_words(text: str) -> str:
    """Lowercase, no accents, no punctuation: how an NLU example and a quote are compared."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def faq_examples() -> dict[str, set[str]]:
    examples: dict[str, set[str]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = block.get("intent") or ""
            if intent.startswith("faq/"):
                lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]
                examples.setdefault(intent, set()).update(plain_words(line) for line in lines)
    return examples


def test_every_response_is_read():
    names = {v.name for v in VARIATIONS}
    assert len(names) > 100 and sum(n.startswith("utter_faq/") for n in names) == 27
    assert all(v.text for v in VARIATIONS), [v.label for v in VARIATIONS if not v.text]


@pytest.mark.parametrize("variation", VARIATIONS, ids=IDS)
def test_every_placeholder_has_a_plausible_value(variation):
    names = set(PLACEHOLDER.findall(variation.text))
    unknown = {n for n in names if n not in PLAUSIBLE and not is_document(variation.name, n)}
    assert not unknown, f"add a plausible value to scripts/response_lengths.py for {unknown}"


@pytest.mark.parametrize("variation", VARIATIONS, ids=IDS)
def test_every_message_fits_in_a_chat_bubble(variation):
    too_long = {len(m): m[:80] for m in messages(variation) if len(m) > MAX_MESSAGE}
    assert not too_long, (
        f"{variation.label} ({variation.source}): messages over {MAX_MESSAGE} characters {too_long}; "
        "split the text with a blank line"
    )


@pytest.mark.parametrize("variation", VARIATIONS, ids=IDS)
def test_a_document_the_user_copies_is_a_message_of_its_own(variation):
    for part in paragraphs(variation.text):
        for name in PLACEHOLDER.findall(part):
            if is_document(variation.name, name):
                assert part.strip() == f"{{{name}}}", (
                    f"{variation.label}: {{{name}}} must stand alone between blank lines"
                )
    assert set(DOCUMENTS) <= {n for v in VARIATIONS for n in PLACEHOLDER.findall(v.text)}


@pytest.mark.parametrize("variation", VARIATIONS, ids=IDS)
def test_our_words_say_sollicitation_never_ticket(variation):
    text = variation.text
    for label in PORTAL_LABELS_WITH_TICKET:
        text = re.sub(rf"«\s*{re.escape(label)}\s*»", "«»", text)
    found = re.findall(r"[^.:;!?\n]*\bticket\w*[^.:;!?\n]*", text, re.IGNORECASE)
    assert not found, f"{variation.label}: « ticket » in our words: {found}"


@pytest.mark.parametrize("variation", VARIATIONS, ids=IDS)
def test_one_vocabulary_and_nothing_unverified_or_impossible(variation):
    for pattern, why in {**FORBIDDEN, **VOCABULARY}.items():
        match = re.search(pattern, variation.text, re.IGNORECASE)
        assert match is None, f"{variation.label}: « {match.group()} »: {why}"
    for title in variation.buttons:
        assert not re.search(r"ticket|live\s*chat", title, re.IGNORECASE), variation.label


@pytest.mark.parametrize("variation", VARIATIONS, ids=IDS)
def test_typography_is_left_to_the_nlg(variation):
    """No hand-typed no-break space in the YAML: nlg/typography.py adds them at output time."""
    for text in (variation.text, *variation.buttons):
        assert "\u00a0" not in text and "\u202f" not in text, variation.label
        # And what it adds never changes a word, a URL or a placeholder.
        assert french_typography(text).replace("\u00a0", " ").replace(" ", "") == text.replace(" ", "")


def test_no_answer_sends_the_user_back_to_its_own_question():
    """An FAQ answer that tells the user to type one of its own training examples loops."""
    examples = faq_examples()
    loops = []
    for variation in VARIATIONS:
        if not variation.name.startswith("utter_faq/"):
            continue
        topic = "faq/" + variation.name.removeprefix("utter_faq/")
        for quoted in TOLD_TO_TYPE.findall(variation.text):
            if plain_words(quoted) in examples.get(topic, set()):
                loops.append((variation.label, quoted))
    assert not loops


def test_the_told_to_type_check_catches_the_old_activation_answer():
    old = ("Vous pouvez obtenir un nouveau lien en écrivant « je ne trouve pas le mail avec le lien "
           "pour activer mon compte ».")
    quoted = TOLD_TO_TYPE.findall(old)
    assert [plain_words(q) for q in quoted] == [
        "je ne trouve pas le mail avec le lien pour activer mon compte"
    ]
    assert plain_words(quoted[0]) in faq_examples()["faq/activer_compte"]


def by_name(name: str) -> list:
    return [v for v in VARIATIONS if v.name == name]


def test_public_structures_get_their_own_account_and_draft_answers():
    for name in ("utter_faq/creer_compte", "utter_faq/brouillon_facture"):
        assert any(("profil", "structure_publique") in v.condition for v in by_name(name)), name


def test_the_follow_up_answer_says_which_requests_go_to_the_business_service():
    for variation in by_name("utter_faq/suivi_sollicitation"):
        assert "service destinataire" in variation.text and "facture" in variation.text, variation.label


def test_two_factor_answer_covers_a_lost_or_changed_phone():
    (variation,) = by_name("utter_faq/double_authentification")
    assert re.search(r"téléphone perdu ou changé", variation.text, re.IGNORECASE)


def test_the_sending_steps_follow_the_sheet():
    steps = ["« Enregistrer »", "« Gestion des pièces jointes »", "« Parcourir »", "« Sollicitation »",
             "« Ajouter »", "« Valider et envoyer »"]
    for name in ("utter_envoyer_sollicitation", "utter_envoyer_sollicitation_libelle_portail"):
        for variation in by_name(name):
            text = variation.text
            positions = [text.find(step, text.find("capture d'écran")) for step in steps]
            assert -1 not in positions and positions == sorted(positions), variation.label
            assert "« Structure émettrice »" in text, variation.label
            assert "pas encore envoyée" in text and "pas un numéro Chorus Pro" in text, variation.label
            assert "service destinataire" in text and "support Chorus Pro" in text, variation.label
            if ("connecte", True) not in variation.condition:  # the logged-in route comes first
                assert text.index("Sollicitations émises") < text.index("Nous contacter"), variation.label
