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
from actions.validation import normalise

# The fields of a request, in the order they are asked and printed.
FIELDS: tuple[str, ...] = (
    "structure", "siret", "identifiant", "nom", "email", "telephone", "description",
    "references", "etapes", "message_erreur", "navigateur", "transcription",
)
# Fields the user can correct from the summary besides FIELDS.
ROUTING_FIELDS = ("categorie", "sous_categorie")
# Fields that are not part of a destination's list but added by the assistant when they apply.
EXTRA_FIELDS = {"transcription", "siret"}
_COLUMNS = {"references": "references_dossier"}  # field name → column name when they differ
_REQUIRED_LABELS = ("destination", "reference", "utilisateur", "assistant", "non_renseigne")
_LONG_VALUE = 100  # longer values (or several lines) start on their own line in the text


class InvalidCatalogue(ValueError):
    """The catalogue file is not usable; the message says where."""


@dataclass(frozen=True)
class Subcategory:
    """An entry of a category's `sous_categories`; `is_portal_label` is its `libelle_portail`."""

    code: str
    label: str
    destination: str
    is_portal_label: bool = False


@dataclass(frozen=True)
class Category:
    """An entry of `categories`: `label` is its `libelle`, `is_portal_label` its `libelle_portail`
    (the label is the portal's own, documented one)."""

    code: str
    label: str
    subcategories: tuple[Subcategory, ...]
    is_portal_label: bool = False


@dataclass(frozen=True)
class Destination:
    """An entry of `destinations`: its `libelle`, `champs_obligatoires` and `champs_facultatifs`."""

    code: str
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    """An entry of `champs`: the field's `libelle` and the `alias` a user may type to correct it."""

    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue file; `logged_out_*` are the `hors_connexion` fields, `labels` the
    `libelles` (words used in the text of a draft)."""

    destinations: dict[str, Destination]
    logged_out_required: tuple[str, ...]
    logged_out_optional: tuple[str, ...]
    fields: dict[str, FieldSpec]
    labels: dict[str, str]
    categories: tuple[Category, ...]

    def category(self, code: str | None) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def subcategory(self, category: str | None, code: str | None) -> Subcategory | None:
        parent = self.category(category)
        if parent is None:
            return None
        return next((s for s in parent.subcategories if s.code == code), None)

    def destination(self, category: str | None, subcategory: str | None) -> str | None:
        """The routing table: where a (catégorie, sous-catégorie) pair goes."""
        choice = self.subcategory(category, subcategory)
        return choice.destination if choice else None

    def fields_to_ask(
        self, destination: str | None, logged_in: bool, extras: Iterable[str] = ()
    ) -> list[tuple[str, bool]]:
        """(field, required) pairs to ask, in FIELDS order, for this destination.

        A user who is not logged in also gives the `hors_connexion` fields; `extras` are fields
        the assistant can offer on top (a transcript, a SIRET known from the website).
        """
        target = self.destinations.get(destination or "")
        if target is None:
            return []
        required = set(target.required)
        optional = set(target.optional) | (set(extras) & EXTRA_FIELDS)
        if not logged_in:
            required |= set(self.logged_out_required)
            optional |= set(self.logged_out_optional)
        return [(c, c in required) for c in FIELDS if c in required or c in optional]

    def label(self, field: str) -> str:
        return self.fields[field].label

    def aliases(self) -> dict[str, str]:
        """Normalised words (code, label, aliases) → field name, for « corriger … »."""
        words: dict[str, str] = {}
        for code, field in self.fields.items():
            for word in (code, field.label, *field.aliases):
                words.setdefault(normalise(word), code)
        return words


# --- Loading the catalogue -------------------------------------------------------------------


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidCatalogue(f"{where}: a list of names is expected")
    return tuple(value)


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidCatalogue(f"{where}: `{key}` is missing or empty")
    return value.strip()


def _new_code(raw: dict, where: str, codes: set[str]) -> str:
    """The `code` of a category or sub-category; codes are unique across the whole catalogue."""
    code = _text(raw, "code", where)
    if code in codes:
        raise InvalidCatalogue(f"{where}: duplicate code {code}")
    codes.add(code)
    return code


def parse_catalogue(raw: Any) -> Catalogue:
    """Build and check a catalogue from the YAML data; InvalidCatalogue says what is wrong."""
    if not isinstance(raw, dict):
        raise InvalidCatalogue("the catalogue must be a mapping")
    fields_raw = raw.get("champs") or {}
    fields = {
        code: FieldSpec(_text(v or {}, "libelle", f"champs.{code}"),
                        _strings((v or {}).get("alias"), f"champs.{code}.alias"))
        for code, v in fields_raw.items()
    }
    missing = (set(FIELDS) | set(ROUTING_FIELDS)) - set(fields)
    if missing:
        raise InvalidCatalogue(f"champs: no label for {sorted(missing)}")

    def known(names: tuple[str, ...], where: str) -> tuple[str, ...]:
        unknown = set(names) - set(FIELDS)
        if unknown:
            raise InvalidCatalogue(f"{where}: unknown fields {sorted(unknown)}")
        return names

    destinations = {}
    for code, value in (raw.get("destinations") or {}).items():
        where = f"destinations.{code}"
        value = value or {}
        destinations[code] = Destination(
            code=code,
            label=_text(value, "libelle", where),
            required=known(_strings(value.get("champs_obligatoires"), where), where),
            optional=known(_strings(value.get("champs_facultatifs"), where), where),
        )
        if "description" not in destinations[code].required:
            raise InvalidCatalogue(f"{where}: the description must be required")
    if not destinations:
        raise InvalidCatalogue("destinations: at least one is needed")

    logged_out = raw.get("hors_connexion") or {}
    labels = raw.get("libelles") or {}
    missing_words = [k for k in _REQUIRED_LABELS if not isinstance(labels.get(k), str)]
    if missing_words:
        raise InvalidCatalogue(f"libelles: missing {missing_words}")

    categories: list[Category] = []
    codes: set[str] = set()
    for index, value in enumerate(raw.get("categories") or []):
        where = f"categories[{index}]"
        code = _new_code(value or {}, where, codes)
        subs: list[Subcategory] = []
        for sub_index, sub in enumerate(value.get("sous_categories") or []):
            sub_where = f"{where}.sous_categories[{sub_index}]"
            sub_code = _new_code(sub or {}, sub_where, codes)
            destination = _text(sub, "destination", sub_where)
            if destination not in destinations:
                raise InvalidCatalogue(f"{sub_where}: unknown destination {destination}")
            subs.append(Subcategory(sub_code, _text(sub, "libelle", sub_where), destination,
                                    bool(sub.get("libelle_portail", False))))
        if not subs:
            raise InvalidCatalogue(f"{where}: no sous_categories")
        categories.append(Category(code, _text(value, "libelle", where), tuple(subs),
                                   bool(value.get("libelle_portail", False))))
    if not categories:
        raise InvalidCatalogue("categories: at least one is needed")

    return Catalogue(
        destinations=destinations,
        logged_out_required=known(
            _strings(logged_out.get("champs_obligatoires"), "hors_connexion"), "hors_connexion"
        ),
        logged_out_optional=known(
            _strings(logged_out.get("champs_facultatifs"), "hors_connexion"), "hors_connexion"
        ),
        fields=fields,
        labels=dict(labels),
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


def format_text(
    values: dict[str, Any],
    catalogue: Catalogue,
    fields: Sequence[str] | None = None,
    reference: str | None = None,
) -> str:
    """The draft as plain text: routing first, then the fields.

    `values` holds `categorie_libelle`, `sous_categorie_libelle`, `destination_libelle` and the
    fields of FIELDS; the description (the title) comes right after the routing. With `fields`,
    exactly those fields are printed and an empty one reads « non renseigné » (the summary);
    without, every filled field is printed (the text to paste).
    """
    header = [
        _line(catalogue.label("categorie"), str(values.get("categorie_libelle") or "")),
        _line(catalogue.label("sous_categorie"), str(values.get("sous_categorie_libelle") or "")),
        _line(catalogue.labels["destination"], str(values.get("destination_libelle") or "")),
    ]
    shown = list(fields) if fields is not None else [c for c in FIELDS if values.get(c)]

    def line(field: str) -> str:
        value = values.get(field)
        text = str(value) if value not in (None, "") else catalogue.labels["non_renseigne"]
        return _line(catalogue.label(field), text)

    # The description is the title (« Titre / Résumé » of the portal form): it comes first.
    title = [line("description")] if "description" in shown else []
    body = [line(field) for field in shown if field != "description"]
    blocks = ["\n".join(header), "\n".join(title), "\n".join(body)]
    if reference:
        blocks.append(_line(catalogue.labels["reference"], reference))
    return "\n\n".join(block for block in blocks if block)


def format_transcript(turns: Sequence[tuple[str, str]], catalogue: Catalogue) -> str:
    """(author, text) turns → « Utilisateur : … » / « Claud.IA : … » / « Conseiller : … » lines."""
    names = {author: catalogue.labels.get(author, author)
             for author in ("utilisateur", "assistant", "conseiller")}
    return "\n".join(f"{names.get(author, author)} : {text}" for author, text in turns)


# --- Storage ---------------------------------------------------------------------------------

# Everything stored besides the fields (column names); the caller passes them in `values`.
METADATA = (
    "categorie", "categorie_libelle", "sous_categorie", "sous_categorie_libelle",
    "libelle_portail", "destination", "destination_libelle", "connecte", "compte_identifiant",
    "profil", "motif_escalade", "user_agent",
)


def _column(field: str) -> str:
    return _COLUMNS.get(field, field)


def _as_dict(row: Sollicitation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": row.reference,
        "statut": row.statut,
        "conversation_id": row.conversation_id,
    }
    for key in METADATA:
        data[key] = getattr(row, key)
    for field in FIELDS:
        data[field] = getattr(row, _column(field))
    for key in ("created_at", "updated_at"):
        moment: datetime | None = getattr(row, key)
        data[key] = moment.isoformat() if moment else None
    return data


def normalise_reference(reference: str) -> str:
    return str(reference or "").strip().upper()


def save_draft(
    values: dict[str, Any],
    *,
    status: str,
    conversation_id: str,
    reference: str | None = None,
    url: str | None = None,
) -> str:
    """Insert a draft, or update the one with `reference` written in the same conversation.

    Returns its reference (SOL-<year>-<number>, the number padded to 6 digits). Fields not in
    `values` are stored empty. Database errors propagate: the caller tells the user.
    """
    with session_scope(url) as session:
        row = None
        if reference:
            row = session.scalars(
                select(Sollicitation).where(
                    Sollicitation.reference == normalise_reference(reference),
                    Sollicitation.conversation_id == conversation_id,
                )
            ).first()
        if row is None:
            row = Sollicitation(conversation_id=conversation_id)
            session.add(row)
        row.statut = status
        for key in METADATA:
            value = values.get(key)
            if key in ("connecte", "libelle_portail"):
                value = bool(value)
            setattr(row, key, value)
        for field in FIELDS:
            setattr(row, _column(field), values.get(field))
        session.flush()
        if not row.reference:
            row.reference = f"SOL-{horaires.now().year}-{row.id:06d}"
        return row.reference


def set_status(reference: str, status: str, conversation_id: str, url: str | None = None) -> None:
    with session_scope(url) as session:
        row = session.scalars(
            select(Sollicitation).where(
                Sollicitation.reference == normalise_reference(reference),
                Sollicitation.conversation_id == conversation_id,
            )
        ).first()
        if row is not None:
            row.statut = status


def latest_draft(conversation_id: str, url: str | None = None) -> dict[str, Any] | None:
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
            select(Sollicitation).where(Sollicitation.reference == normalise_reference(reference))
        ).first()
        return _as_dict(row) if row else None


def draft_text(data: dict[str, Any], catalogue: Catalogue | None = None) -> str:
    """The text to paste for a stored draft (see sollicitation_as_dict)."""
    return format_text(data, catalogue or load_catalogue(), reference=data.get("reference"))


def sollicitation_as_text(reference: str, url: str | None = None) -> str | None:
    """The stored draft as plain text ready to paste, or None when there is none."""
    data = sollicitation_as_dict(reference, url=url)
    return draft_text(data) if data else None


def belongs_to(data: dict[str, Any], conversation_id: str) -> bool:
    """May this user read the draft back in the chat? Only in the conversation that wrote it.

    References are sequential, hence guessable, and the website's metadata (login) is not proof
    of identity: a draft holds a name, an e-mail and a phone number, so nothing else qualifies.
    """
    return data.get("conversation_id") == conversation_id
