"""Solicitation drafts without Rasa: the catalogue (routing table), the text to paste, storage.

Used by the assistant (actions/sollicitation.py), by the command-line tool
(scripts/sollicitation.py) and by the advisor desk API, which import:

    sollicitation_as_dict(reference) -> dict | None   JSON-ready
    sollicitation_as_text(reference) -> str | None    plain text ready to paste in the portal

The catalogue is operator configuration (conf/sollicitation_catalogue.yml, or the file named by
SOLLICITATION_CATALOGUE); it is read again whenever the file changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from actions import horaires
from actions.models import Sollicitation
from actions.persistence import session_scope
from actions.settings import get_settings
from actions.validation import normaliser

# The fields of a request, in the order they are asked and printed.
CHAMPS: tuple[str, ...] = (
    "structure", "siret", "identifiant", "nom", "email", "telephone", "description",
    "references", "etapes", "message_erreur", "navigateur", "transcription",
)
# Fields the user can correct from the summary besides CHAMPS.
CHAMPS_ROUTAGE = ("categorie", "sous_categorie")
# Fields that are not part of a destination's list but added by the assistant when they apply.
CHAMPS_AJOUTES = {"transcription", "siret"}
_COLONNES = {"references": "references_dossier"}  # field name → column name when they differ
_LIBELLES_REQUIS = ("destination", "reference", "utilisateur", "assistant", "non_renseigne")
_LONG_VALUE = 100  # longer values (or several lines) start on their own line in the text


class CatalogueInvalide(ValueError):
    """The catalogue file is not usable; the message says where."""


@dataclass(frozen=True)
class SousCategorie:
    code: str
    libelle: str
    destination: str
    libelle_portail: bool = False


@dataclass(frozen=True)
class Categorie:
    code: str
    libelle: str
    sous_categories: tuple[SousCategorie, ...]
    libelle_portail: bool = False


@dataclass(frozen=True)
class Destination:
    code: str
    libelle: str
    obligatoires: tuple[str, ...]
    facultatifs: tuple[str, ...]


@dataclass(frozen=True)
class Champ:
    libelle: str
    alias: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    destinations: dict[str, Destination]
    hors_connexion_obligatoires: tuple[str, ...]
    hors_connexion_facultatifs: tuple[str, ...]
    champs: dict[str, Champ]
    libelles: dict[str, str]
    categories: tuple[Categorie, ...]

    def categorie(self, code: str | None) -> Categorie | None:
        return next((c for c in self.categories if c.code == code), None)

    def sous_categorie(self, categorie: str | None, code: str | None) -> SousCategorie | None:
        parent = self.categorie(categorie)
        if parent is None:
            return None
        return next((s for s in parent.sous_categories if s.code == code), None)

    def destination(self, categorie: str | None, sous_categorie: str | None) -> str | None:
        """The routing table: where a (catégorie, sous-catégorie) pair goes."""
        choice = self.sous_categorie(categorie, sous_categorie)
        return choice.destination if choice else None

    def champs_a_demander(
        self, destination: str | None, connecte: bool, ajouts: Iterable[str] = ()
    ) -> list[tuple[str, bool]]:
        """(field, required) pairs to ask, in CHAMPS order, for this destination.

        A user who is not logged in also gives the `hors_connexion` fields; `ajouts` are fields
        the assistant can offer on top (a transcript, a SIRET known from the website).
        """
        target = self.destinations.get(destination or "")
        if target is None:
            return []
        required = set(target.obligatoires)
        optional = set(target.facultatifs) | (set(ajouts) & CHAMPS_AJOUTES)
        if not connecte:
            required |= set(self.hors_connexion_obligatoires)
            optional |= set(self.hors_connexion_facultatifs)
        return [(c, c in required) for c in CHAMPS if c in required or c in optional]

    def libelle(self, champ: str) -> str:
        return self.champs[champ].libelle

    def alias(self) -> dict[str, str]:
        """Normalised words (code, label, aliases) → field name, for « corriger … »."""
        words: dict[str, str] = {}
        for code, champ in self.champs.items():
            for word in (code, champ.libelle, *champ.alias):
                words.setdefault(normaliser(word), code)
        return words


# --- Loading the catalogue -------------------------------------------------------------------


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueInvalide(f"{where}: a list of names is expected")
    return tuple(value)


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueInvalide(f"{where}: `{key}` is missing or empty")
    return value.strip()


def parse_catalogue(raw: Any) -> Catalogue:
    """Build and check a catalogue from the YAML data; CatalogueInvalide says what is wrong."""
    if not isinstance(raw, dict):
        raise CatalogueInvalide("the catalogue must be a mapping")
    champs_raw = raw.get("champs") or {}
    champs = {
        code: Champ(_text(v or {}, "libelle", f"champs.{code}"),
                    _strings((v or {}).get("alias"), f"champs.{code}.alias"))
        for code, v in champs_raw.items()
    }
    missing = (set(CHAMPS) | set(CHAMPS_ROUTAGE)) - set(champs)
    if missing:
        raise CatalogueInvalide(f"champs: no label for {sorted(missing)}")

    def known(names: tuple[str, ...], where: str) -> tuple[str, ...]:
        unknown = set(names) - set(CHAMPS)
        if unknown:
            raise CatalogueInvalide(f"{where}: unknown fields {sorted(unknown)}")
        return names

    destinations = {}
    for code, value in (raw.get("destinations") or {}).items():
        where = f"destinations.{code}"
        value = value or {}
        destinations[code] = Destination(
            code=code,
            libelle=_text(value, "libelle", where),
            obligatoires=known(_strings(value.get("champs_obligatoires"), where), where),
            facultatifs=known(_strings(value.get("champs_facultatifs"), where), where),
        )
        if "description" not in destinations[code].obligatoires:
            raise CatalogueInvalide(f"{where}: the description must be required")
    if not destinations:
        raise CatalogueInvalide("destinations: at least one is needed")

    hors_connexion = raw.get("hors_connexion") or {}
    libelles = raw.get("libelles") or {}
    missing_words = [k for k in _LIBELLES_REQUIS if not isinstance(libelles.get(k), str)]
    if missing_words:
        raise CatalogueInvalide(f"libelles: missing {missing_words}")

    categories: list[Categorie] = []
    codes: set[str] = set()
    for index, value in enumerate(raw.get("categories") or []):
        where = f"categories[{index}]"
        code = _text(value or {}, "code", where)
        if code in codes:
            raise CatalogueInvalide(f"{where}: duplicate code {code}")
        codes.add(code)
        subs: list[SousCategorie] = []
        for sub_index, sub in enumerate(value.get("sous_categories") or []):
            sub_where = f"{where}.sous_categories[{sub_index}]"
            sub_code = _text(sub or {}, "code", sub_where)
            if sub_code in codes:
                raise CatalogueInvalide(f"{sub_where}: duplicate code {sub_code}")
            codes.add(sub_code)
            destination = _text(sub, "destination", sub_where)
            if destination not in destinations:
                raise CatalogueInvalide(f"{sub_where}: unknown destination {destination}")
            subs.append(SousCategorie(sub_code, _text(sub, "libelle", sub_where), destination,
                                      bool(sub.get("libelle_portail", False))))
        if not subs:
            raise CatalogueInvalide(f"{where}: no sous_categories")
        categories.append(Categorie(code, _text(value, "libelle", where), tuple(subs),
                                    bool(value.get("libelle_portail", False))))
    if not categories:
        raise CatalogueInvalide("categories: at least one is needed")

    return Catalogue(
        destinations=destinations,
        hors_connexion_obligatoires=known(
            _strings(hors_connexion.get("champs_obligatoires"), "hors_connexion"), "hors_connexion"
        ),
        hors_connexion_facultatifs=known(
            _strings(hors_connexion.get("champs_facultatifs"), "hors_connexion"), "hors_connexion"
        ),
        champs=champs,
        libelles=dict(libelles),
        categories=tuple(categories),
    )


def catalogue_path() -> Path:
    """The catalogue file: SOLLICITATION_CATALOGUE, by default conf/sollicitation_catalogue.yml."""
    return get_settings().sollicitation_catalogue


_cache: dict[tuple[str, float], Catalogue] = {}


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """The catalogue, read again when the file changes."""
    path = Path(path or catalogue_path())
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        catalogue = parse_catalogue(yaml.safe_load(path.read_text(encoding="utf-8")))
        _cache.clear()
        _cache[key] = catalogue
    return _cache[key]


# --- The text of a draft ---------------------------------------------------------------------


def _line(label: str, value: str) -> str:
    if "\n" in value or len(value) > _LONG_VALUE:
        return f"{label} :\n{value}"
    return f"{label} : {value}"


def format_texte(
    valeurs: dict[str, Any],
    catalogue: Catalogue,
    champs: Sequence[str] | None = None,
    reference: str | None = None,
) -> str:
    """The draft as plain text: routing first, then the fields.

    `valeurs` holds `categorie_libelle`, `sous_categorie_libelle`, `destination_libelle` and the
    fields of CHAMPS; the description (the title) comes right after the routing. With `champs`,
    exactly those fields are printed and an empty one reads « non renseigné » (the summary);
    without, every filled field is printed (the text to paste).
    """
    header = [
        _line(catalogue.libelle("categorie"), str(valeurs.get("categorie_libelle") or "")),
        _line(catalogue.libelle("sous_categorie"), str(valeurs.get("sous_categorie_libelle") or "")),
        _line(catalogue.libelles["destination"], str(valeurs.get("destination_libelle") or "")),
    ]
    shown = list(champs) if champs is not None else [c for c in CHAMPS if valeurs.get(c)]

    def line(champ: str) -> str:
        value = valeurs.get(champ)
        text = str(value) if value not in (None, "") else catalogue.libelles["non_renseigne"]
        return _line(catalogue.libelle(champ), text)

    # The description is the title (« Titre / Résumé » of the portal form): it comes first.
    title = [line("description")] if "description" in shown else []
    body = [line(champ) for champ in shown if champ != "description"]
    blocks = ["\n".join(header), "\n".join(title), "\n".join(body)]
    if reference:
        blocks.append(_line(catalogue.libelles["reference"], reference))
    return "\n\n".join(block for block in blocks if block)


def format_transcription(tours: Sequence[tuple[str, str]], catalogue: Catalogue) -> str:
    """(author, text) turns → « Utilisateur : … » / « Claud.IA : … » / « Conseiller : … » lines."""
    names = {author: catalogue.libelles.get(author, author)
             for author in ("utilisateur", "assistant", "conseiller")}
    return "\n".join(f"{names.get(author, author)} : {text}" for author, text in tours)


# --- Storage ---------------------------------------------------------------------------------

# Everything stored besides the fields; the caller passes them in `valeurs`.
METADONNEES = (
    "categorie", "categorie_libelle", "sous_categorie", "sous_categorie_libelle",
    "libelle_portail", "destination", "destination_libelle", "connecte", "compte_identifiant",
    "profil", "motif_escalade", "user_agent",
)


def _column(champ: str) -> str:
    return _COLONNES.get(champ, champ)


def _as_dict(row: Sollicitation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": row.reference,
        "statut": row.statut,
        "conversation_id": row.conversation_id,
    }
    for key in METADONNEES:
        data[key] = getattr(row, key)
    for champ in CHAMPS:
        data[champ] = getattr(row, _column(champ))
    for key in ("created_at", "updated_at"):
        moment: datetime | None = getattr(row, key)
        data[key] = moment.isoformat() if moment else None
    return data


def normaliser_reference(reference: str) -> str:
    return str(reference or "").strip().upper()


def enregistrer_sollicitation(
    valeurs: dict[str, Any],
    *,
    statut: str,
    conversation_id: str,
    reference: str | None = None,
    url: str | None = None,
) -> str:
    """Insert a draft, or update the one with `reference` written in the same conversation.

    Returns its reference (SOL-<year>-<number>, the number padded to 6 digits). Fields not in
    `valeurs` are stored empty. Database errors propagate: the caller tells the user.
    """
    with session_scope(url) as session:
        row = None
        if reference:
            row = session.scalars(
                select(Sollicitation).where(
                    Sollicitation.reference == normaliser_reference(reference),
                    Sollicitation.conversation_id == conversation_id,
                )
            ).first()
        if row is None:
            row = Sollicitation(conversation_id=conversation_id)
            session.add(row)
        row.statut = statut
        for key in METADONNEES:
            value = valeurs.get(key)
            if key in ("connecte", "libelle_portail"):
                value = bool(value)
            setattr(row, key, value)
        for champ in CHAMPS:
            setattr(row, _column(champ), valeurs.get(champ))
        session.flush()
        if not row.reference:
            row.reference = f"SOL-{horaires.now().year}-{row.id:06d}"
        return row.reference


def changer_statut(reference: str, statut: str, conversation_id: str, url: str | None = None) -> None:
    with session_scope(url) as session:
        row = session.scalars(
            select(Sollicitation).where(
                Sollicitation.reference == normaliser_reference(reference),
                Sollicitation.conversation_id == conversation_id,
            )
        ).first()
        if row is not None:
            row.statut = statut


def dernier_brouillon(conversation_id: str, url: str | None = None) -> dict[str, Any] | None:
    """The latest unfinished draft of a conversation, to resume it in a later session."""
    with session_scope(url) as session:
        row = session.scalars(
            select(Sollicitation)
            .where(Sollicitation.conversation_id == conversation_id,
                   Sollicitation.statut == "brouillon")
            .order_by(Sollicitation.id.desc())
        ).first()
        return _as_dict(row) if row else None


def sollicitation_as_dict(reference: str, url: str | None = None) -> dict[str, Any] | None:
    """The stored draft as a JSON-ready dict, or None when no draft has this reference."""
    with session_scope(url) as session:
        row = session.scalars(
            select(Sollicitation).where(Sollicitation.reference == normaliser_reference(reference))
        ).first()
        return _as_dict(row) if row else None


def texte_de(data: dict[str, Any], catalogue: Catalogue | None = None) -> str:
    """The text to paste for a stored draft (see sollicitation_as_dict)."""
    return format_texte(data, catalogue or load_catalogue(), reference=data.get("reference"))


def sollicitation_as_text(reference: str, url: str | None = None) -> str | None:
    """The stored draft as plain text ready to paste, or None when there is none."""
    data = sollicitation_as_dict(reference, url=url)
    return texte_de(data) if data else None


def appartient_a(data: dict[str, Any], conversation_id: str) -> bool:
    """May this user read the draft back in the chat? Only in the conversation that wrote it.

    References are sequential, hence guessable, and the website's metadata (login) is not proof
    of identity: a draft holds a name, an e-mail and a phone number, so nothing else qualifies.
    """
    return data.get("conversation_id") == conversation_id
