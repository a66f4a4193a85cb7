"""Pure validators and readers for what a user types while drafting a solicitation. No Rasa here.

Each `validate_*` function takes the raw text and returns the value to store, or raises
`InvalidAnswer` with a reason code (a French word, shown below) that the caller turns into a
French re-prompt:

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

# (minimum, maximum) length in characters of each free-text field. The description becomes the
# « Titre / Résumé » of the request.
LENGTH_LIMITS: dict[str, tuple[int, int]] = {
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
FRENCH_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF")
# Control characters other than tab, line feed and carriage return.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A pragmatic check: one @, no blanks, a dotted domain with a 2+ letter top-level label.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_REFERENCE = re.compile(r"\bSOL[\s_-]?(\d{4})[\s_-]?(\d{6,})\b", re.IGNORECASE)


class InvalidAnswer(ValueError):
    """The answer cannot be stored; `reason` and `details` feed the French re-prompt."""

    def __init__(self, reason: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details or {}


# --- Normalising and reading short answers --------------------------------------------------


def normalise(value: Any) -> str:
    """Lower case, no accents, straight apostrophes, single spaces, no end punctuation."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("`", "'").lower()
    text = re.sub(r"[«»\"]", " ", text)
    text = " ".join(text.split())
    return text.strip(" .!?;:,")


_YES = {
    "oui", "ouais", "ouai", "o", "yes", "ok", "okay", "d'accord", "daccord", "exact",
    "exactement", "correct", "c'est ca", "c'est bien ca", "c'est correct", "tout a fait",
    "bien sur", "parfait", "je confirme", "confirmer", "confirme", "/affirmer",
}
_NO = {"non", "no", "n", "nan", "pas du tout", "c'est pas ca", "ce n'est pas ca", "incorrect",
       "faux", "/nier"}


def read_yes_no(value: Any) -> bool | None:
    """True for a yes, False for a no, None for anything else (then it is a value)."""
    text = normalise(value)
    if text in _YES or text.startswith("/affirmer"):
        return True
    if text in _NO or text.startswith("/nier"):
        return False
    words = text.replace(",", " ").split()
    if 1 < len(words) <= 6:
        if words[0] in {"oui", "ouais", "ok", "yes", "exact", "parfait"}:
            return True
        if words[0] in {"non", "no", "nan"}:
            return False
    return None


@dataclass(frozen=True)
class Command:
    """A command typed during the form: annuler, passer, recommencer, corriger (a field).

    `name` is the French command word itself; `field` the field to correct, if one was named.
    """

    name: str
    field: str | None = None


_CANCEL = {
    "annuler", "annule", "annulez", "j'annule", "je veux annuler", "abandonner", "abandon",
    "stop", "arreter", "arrete", "laisse tomber", "laissez tomber", "annuler la sollicitation",
    "annuler ma sollicitation", "annuler la demande", "annuler ma demande", "/annuler",
}
_SKIP = {
    "passer", "passe", "je passe", "suivant", "ignorer", "aucun", "aucune", "rien", "neant",
    "je ne sais pas", "je sais pas", "sais pas", "jsp", "non applicable", "sans objet",
    "pas de message", "pas d'erreur", "pas de message d'erreur", "/passer",
}
_RESTART = {"recommencer", "tout recommencer", "recommencer a zero", "repartir de zero"}
_CORRECT = re.compile(
    r"^(corriger|modifier|changer|rectifier)"
    r"(?:\s+(?:le|la|les|mon|ma|mes|du|de la|un|une|l')|\s+l'|\s*l')?\s*(.*)$"
)


def read_command(value: Any, aliases: dict[str, str], at_summary: bool = False) -> Command | None:
    """Read a command typed as the whole message; None when the text is an answer.

    `aliases` maps normalised words (see `normalise`) to field names. Outside the summary only
    « corriger <field> » with a known field counts, so that a description such as « modifier
    ma facture » stays a description.
    """
    text = normalise(value)
    if text in _CANCEL:
        return Command("annuler")
    if text in _SKIP:
        return Command("passer")
    if text in _RESTART:
        return Command("recommencer")
    match = _CORRECT.match(text)
    if match:
        verb, rest = match.group(1), match.group(2).strip()
        if verb != "corriger" and not at_summary:
            return None
        if not rest:
            return Command("corriger")
        field = aliases.get(rest)
        if field:
            return Command("corriger", field)
        if at_summary:
            return Command("corriger")
    return None


def choose(value: Any, options: list[tuple[str, str]]) -> str | None:
    """The code of the option the user chose among (code, label) pairs, typed or clicked.

    Accepts the code, the label (any case, accents optional), the 1-based number, or a part of
    a single label (at least 3 characters).
    """
    text = normalise(value)
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1][0]
    for code, label in options:
        if text in (code, normalise(label)):
            return code
    if len(text) >= 3:
        partial = [code for code, label in options if text in normalise(label)]
        if len(partial) == 1:
            return partial[0]
    return None


def find_reference(value: Any) -> str | None:
    """A draft reference found in a message (« sol-2026-000123 » → « SOL-2026-000123 »)."""
    match = _REFERENCE.search(str(value or ""))
    return f"SOL-{match.group(1)}-{match.group(2)}" if match else None


# --- Validators ------------------------------------------------------------------------------


def free_text(value: Any, field: str) -> str:
    """Free text within the field's length limits, stored verbatim."""
    minimum, maximum = LENGTH_LIMITS[field]
    text = str(value or "").strip()
    if not text:
        raise InvalidAnswer("vide")
    if _CONTROL_CHARS.search(text):
        raise InvalidAnswer("caracteres")
    if len(text) > maximum:
        raise InvalidAnswer("trop_long", {"limite": maximum, "longueur": len(text)})
    if len(text) < minimum:
        raise InvalidAnswer("trop_court", {"limite": minimum})
    return text


def validate_phone(value: Any) -> str:
    """A French number (01 23 45 67 89, 06…, +33…) or an international one with its prefix.

    Stored in international format, e.g. « +33 1 23 45 67 89 ».
    """
    text = str(value or "").strip()
    if not text:
        raise InvalidAnswer("vide")
    if len(text) > 40:
        raise InvalidAnswer("format")
    candidate = "+" + text[2:] if text.startswith("00") else text
    # A number without its country prefix is French: metropolitan first, then overseas, whose
    # numbers (0590…, 0262…) are dialled the same way but have their own country codes.
    for region in FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException as error:
            raise InvalidAnswer("format") from error
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if candidate.startswith("+"):
            break  # the prefix says which country: no other region to try
    raise InvalidAnswer("format")


def validate_siret(value: Any) -> str:
    """14 digits (spaces, dots and dashes allowed) with a valid checksum; stored compact."""
    text = str(value or "").strip()
    if not text:
        raise InvalidAnswer("vide")
    try:
        return siret_numbers.validate(text)
    except stdnum_exceptions.InvalidChecksum as error:
        raise InvalidAnswer("cle") from error
    except stdnum_exceptions.ValidationError as error:
        raise InvalidAnswer("format") from error


def validate_email(value: Any) -> str:
    """An e-mail address within the length limits, with one @ and a dotted domain."""
    text = free_text(value, "email")
    if not _EMAIL.match(text) or ".." in text or len(text.split("@")[0]) > 64:
        raise InvalidAnswer("format")
    return text


def validate_login(value: Any) -> str:
    """The login of a Chorus Pro account: normally an e-mail, at least a word without blanks.

    Not checked as an e-mail: the user may need to report precisely an invalid login address.
    """
    text = free_text(value, "identifiant")
    if any(c.isspace() for c in text):
        raise InvalidAnswer("format")
    return text


VALIDATORS = {
    "structure": lambda value: free_text(value, "structure"),
    "siret": validate_siret,
    "identifiant": validate_login,
    "nom": lambda value: free_text(value, "nom"),
    "email": validate_email,
    "telephone": validate_phone,
    "description": lambda value: free_text(value, "description"),
    "references": lambda value: free_text(value, "references"),
    "etapes": lambda value: free_text(value, "etapes"),
    "message_erreur": lambda value: free_text(value, "message_erreur"),
    "navigateur": lambda value: free_text(value, "navigateur"),
}


def validate_field(field: str, value: Any) -> str:
    """Validate the answer for one field of the draft (see VALIDATORS)."""
    return VALIDATORS[field](value)


# --- Prefill ---------------------------------------------------------------------------------


def describe_browser(user_agent: Any) -> str | None:
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
