"""A draft as plain text: the summary shown before confirming, and the text to paste."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistance.solicitations.catalogue import Catalogue
from assistance.solicitations.draft import FIELDS

_LONG_VALUE = 100  # longer values (or several lines) start on their own line in the text


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


def draft_text(data: dict[str, Any], catalogue: Catalogue) -> str:
    """The text to paste for a stored draft (see repository.get_draft)."""
    return format_text(data, catalogue, reference=data.get("reference"))
