"""The solicitation catalogue: categories and sub-categories, the destination each one routes
to (the tool support or the business service), and the fields each destination needs.

Operator configuration (conf/sollicitation_catalogue.yml, or the file named by
SOLLICITATION_CATALOGUE), read again whenever the file changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistance import files
from assistance.solicitations.draft import EXTRA_FIELDS, FIELDS, ROUTING_FIELDS
from assistance.validation import normalise

_REQUIRED_LABELS = ("destination", "reference", "non_renseigne")


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


def load_catalogue(path: Path | str) -> Catalogue:
    """The catalogue of this file, parsed again when the file changes."""
    return files.load(path, parse_catalogue)
