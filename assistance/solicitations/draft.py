"""A solicitation draft as a value: its fields and its statuses. No storage, no Rasa.

Field codes are the catalogue's (`champs` of conf/sollicitation_catalogue.yml) and the suffixes
of the form's slots (`sollicitation_<field>`): French domain words, kept as they are.
"""

from __future__ import annotations

from enum import Enum

# The fields of a request, in the order they are asked and printed.
FIELDS: tuple[str, ...] = (
    "structure", "siret", "identifiant", "nom", "email", "telephone", "description",
    "references", "etapes", "message_erreur", "navigateur", "transcription",
)
# Fields the user can correct from the summary besides FIELDS.
ROUTING_FIELDS = ("categorie", "sous_categorie")
# Fields that are not part of a destination's list but added by the assistant when they apply.
EXTRA_FIELDS = {"transcription", "siret"}
# Everything stored besides the fields; the flow passes them with the fields.
METADATA = (
    "categorie", "categorie_libelle", "sous_categorie", "sous_categorie_libelle",
    "libelle_portail", "destination", "destination_libelle", "connecte", "compte_identifiant",
    "profil", "motif_escalade", "user_agent",
)


class DraftStatus(str, Enum):
    """The stored statuses (French domain values)."""

    DRAFT = "brouillon"  # the user cancelled before the end; it can be resumed
    READY = "prete"  # the user confirmed the summary; ready to be sent through the portal
    DISCARDED = "abandonnee"  # the user started again from scratch instead of resuming it
