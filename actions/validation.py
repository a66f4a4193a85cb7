"""Pure validators and readers for what a user types while drafting a solicitation. No Rasa here.

Each `valider_*` function takes the raw text and returns the value to store, or raises
`Invalide` with a reason the caller turns into a French re-prompt:

    vide        nothing usable was typed
    trop_court  fewer than `limite` characters
    trop_long   more than `limite` characters (`longueur` says how many were typed)
    caracteres  control characters that cannot be stored (NUL, escape codes...)
    format      not a phone number / e-mail / SIRET / identifier
    cle         a SIRET with 14 digits whose checksum is wrong (a typo)

Free text is stored verbatim (only surrounding blanks are removed): quotes, HTML, emoji and
SQL-looking text are data like any other; the database layer binds them as parameters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import phonenumbers
import user_agents
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as siret_numbers

# Maximum lengths, in characters. The description becomes the « Titre / Résumé » of the request.
LIMITES: dict[str, tuple[int, int]] = {
    "structure": (2, 200),
    "identifiant": (3, 254),
    "nom": (2, 100),
    "email": (3, 254),
    "description": (10, 500),
    "references": (2, 500),
    "etapes": (5, 5000),
    "message_erreur": (2, 2000),
    "navigateur": (2, 200),
}

# Metropolitan France, then the overseas regions with their own country codes.
REGIONS_FRANCAISES = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF")
# Control characters other than tab, line feed and carriage return.
_CONTROLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A pragmatic check: one @, no blanks, a dotted domain with a 2+ letter top-level label.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_REFERENCE = re.compile(r"\bSOL[\s_-]?(\d{4})[\s_-]?(\d{6,})\b", re.IGNORECASE)


class Invalide(ValueError):
    """The answer cannot be stored; `raison` and `details` feed the French re-prompt."""

    def __init__(self, raison: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(raison)
        self.raison = raison
        self.details = details or {}


# --- Normalising and reading short answers --------------------------------------------------


def normaliser(texte: Any) -> str:
    """Lower case, no accents, straight apostrophes, single spaces, no end punctuation."""
    text = unicodedata.normalize("NFKD", str(texte or ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("`", "'").lower()
    text = re.sub(r"[«»\"]", " ", text)
    text = " ".join(text.split())
    return text.strip(" .!?;:,")


_OUI = {
    "oui", "ouais", "ouai", "o", "yes", "ok", "okay", "d'accord", "daccord", "exact",
    "exactement", "correct", "c'est ca", "c'est bien ca", "c'est correct", "tout a fait",
    "bien sur", "parfait", "je confirme", "confirmer", "confirme", "/affirmer",
}
_NON = {"non", "no", "n", "nan", "pas du tout", "c'est pas ca", "ce n'est pas ca", "incorrect",
        "faux", "/nier"}


def lire_oui_non(texte: Any) -> bool | None:
    """True for a yes, False for a no, None for anything else (then it is a value)."""
    text = normaliser(texte)
    if text in _OUI or text.startswith("/affirmer"):
        return True
    if text in _NON or text.startswith("/nier"):
        return False
    words = text.replace(",", " ").split()
    if 1 < len(words) <= 6:
        if words[0] in {"oui", "ouais", "ok", "yes", "exact", "parfait"}:
            return True
        if words[0] in {"non", "no", "nan"}:
            return False
    return None


@dataclass(frozen=True)
class Commande:
    """A command typed during the form: annuler, passer, recommencer, corriger (a field)."""

    nom: str
    champ: str | None = None


_ANNULER = {
    "annuler", "annule", "annulez", "j'annule", "je veux annuler", "abandonner", "abandon",
    "stop", "arreter", "arrete", "laisse tomber", "laissez tomber", "annuler la sollicitation",
    "annuler ma sollicitation", "annuler la demande", "annuler ma demande", "/annuler",
}
_PASSER = {
    "passer", "passe", "je passe", "suivant", "ignorer", "aucun", "aucune", "rien", "neant",
    "je ne sais pas", "je sais pas", "sais pas", "jsp", "non applicable", "sans objet",
    "pas de message", "pas d'erreur", "pas de message d'erreur", "/passer",
}
_RECOMMENCER = {"recommencer", "tout recommencer", "recommencer a zero", "repartir de zero"}
_CORRIGER = re.compile(
    r"^(corriger|modifier|changer|rectifier)"
    r"(?:\s+(?:le|la|les|mon|ma|mes|du|de la|un|une|l')|\s+l'|\s*l')?\s*(.*)$"
)


def lire_commande(texte: Any, alias: dict[str, str], au_recapitulatif: bool = False) -> Commande | None:
    """Read a command typed as the whole message; None when the text is an answer.

    `alias` maps normalised words (see `normaliser`) to field names. Outside the summary only
    « corriger <field> » with a known field counts, so that a description such as « modifier
    ma facture » stays a description.
    """
    text = normaliser(texte)
    if text in _ANNULER:
        return Commande("annuler")
    if text in _PASSER:
        return Commande("passer")
    if text in _RECOMMENCER:
        return Commande("recommencer")
    match = _CORRIGER.match(text)
    if match:
        verbe, reste = match.group(1), match.group(2).strip()
        if verbe != "corriger" and not au_recapitulatif:
            return None
        if not reste:
            return Commande("corriger")
        champ = alias.get(reste)
        if champ:
            return Commande("corriger", champ)
        if au_recapitulatif:
            return Commande("corriger")
    return None


def choisir(texte: Any, options: list[tuple[str, str]]) -> str | None:
    """The code of the option the user chose among (code, label) pairs, typed or clicked.

    Accepts the code, the label (any case, accents optional), the 1-based number, or a part of
    a single label (at least 3 characters).
    """
    text = normaliser(texte)
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1][0]
    for code, libelle in options:
        if text in (code, normaliser(libelle)):
            return code
    if len(text) >= 3:
        partial = [code for code, libelle in options if text in normaliser(libelle)]
        if len(partial) == 1:
            return partial[0]
    return None


def trouver_reference(texte: Any) -> str | None:
    """A draft reference found in a message (« sol-2026-000123 » → « SOL-2026-000123 »)."""
    match = _REFERENCE.search(str(texte or ""))
    return f"SOL-{match.group(1)}-{match.group(2)}" if match else None


# --- Validators ------------------------------------------------------------------------------


def texte_libre(texte: Any, champ: str) -> str:
    """Free text within the field's length limits, stored verbatim."""
    minimum, maximum = LIMITES[champ]
    text = str(texte or "").strip()
    if not text:
        raise Invalide("vide")
    if _CONTROLE.search(text):
        raise Invalide("caracteres")
    if len(text) > maximum:
        raise Invalide("trop_long", {"limite": maximum, "longueur": len(text)})
    if len(text) < minimum:
        raise Invalide("trop_court", {"limite": minimum})
    return text


def valider_telephone(texte: Any) -> str:
    """A French number (01 23 45 67 89, 06…, +33…) or an international one with its prefix.

    Stored in international format, e.g. « +33 1 23 45 67 89 ».
    """
    text = str(texte or "").strip()
    if not text:
        raise Invalide("vide")
    if len(text) > 40:
        raise Invalide("format")
    candidate = "+" + text[2:] if text.startswith("00") else text
    # A number without its country prefix is French: metropolitan first, then overseas, whose
    # numbers (0590…, 0262…) are dialled the same way but have their own country codes.
    for region in REGIONS_FRANCAISES:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException as error:
            raise Invalide("format") from error
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if candidate.startswith("+"):
            break  # the prefix says which country: no other region to try
    raise Invalide("format")


def valider_siret(texte: Any) -> str:
    """14 digits (spaces, dots and dashes allowed) with a valid checksum; stored compact."""
    text = str(texte or "").strip()
    if not text:
        raise Invalide("vide")
    try:
        return siret_numbers.validate(text)
    except stdnum_exceptions.InvalidChecksum as error:
        raise Invalide("cle") from error
    except stdnum_exceptions.ValidationError as error:
        raise Invalide("format") from error


def valider_email(texte: Any) -> str:
    text = texte_libre(texte, "email")
    if not _EMAIL.match(text) or ".." in text or len(text.split("@")[0]) > 64:
        raise Invalide("format")
    return text


def valider_identifiant(texte: Any) -> str:
    """The login of a Chorus Pro account: normally an e-mail, at least a word without blanks.

    Not checked as an e-mail: the user may need to report precisely an invalid login address.
    """
    text = texte_libre(texte, "identifiant")
    if any(c.isspace() for c in text):
        raise Invalide("format")
    return text


VALIDATEURS = {
    "structure": lambda texte: texte_libre(texte, "structure"),
    "siret": valider_siret,
    "identifiant": valider_identifiant,
    "nom": lambda texte: texte_libre(texte, "nom"),
    "email": valider_email,
    "telephone": valider_telephone,
    "description": lambda texte: texte_libre(texte, "description"),
    "references": lambda texte: texte_libre(texte, "references"),
    "etapes": lambda texte: texte_libre(texte, "etapes"),
    "message_erreur": lambda texte: texte_libre(texte, "message_erreur"),
    "navigateur": lambda texte: texte_libre(texte, "navigateur"),
}


def valider(champ: str, texte: Any) -> str:
    """Validate the answer for one field of the draft (see VALIDATEURS)."""
    return VALIDATEURS[champ](texte)


# --- Prefill ---------------------------------------------------------------------------------


def decrire_navigateur(user_agent: Any) -> str | None:
    """« Firefox 128.0 (Windows 10) » from a raw user agent; None when it names no browser."""
    if not user_agent or not isinstance(user_agent, str):
        return None
    parsed = user_agents.parse(user_agent)
    family, version = parsed.browser.family, parsed.browser.version_string
    if not family or family == "Other" or not (parsed.is_pc or parsed.is_mobile or parsed.is_tablet):
        return None  # a robot or a command-line client, not a browser
    browser = f"{family} {version}".strip()
    system = f"{parsed.os.family} {parsed.os.version_string}".strip()
    return f"{browser} ({system})" if parsed.os.family and parsed.os.family != "Other" else browser
