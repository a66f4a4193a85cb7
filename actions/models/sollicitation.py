"""Solicitation drafts: written requests to the Chorus Pro support prepared with the assistant."""

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text

from actions.persistence import Base, utcnow

__all__ = ["Sollicitation", "STATUTS"]

# Status of a draft (domain values, in French):
#   brouillon   the user cancelled before the end; it can be resumed
#   prete       the user confirmed the summary; ready to be sent through the portal
#   abandonnee  the user started again from scratch instead of resuming it
STATUTS = ("brouillon", "prete", "abandonnee")


class Sollicitation(Base):
    """One draft. Text fields hold what the user typed (or confirmed), verbatim."""

    __tablename__ = "sollicitations"

    id = Column(Integer, primary_key=True)
    reference = Column(String(32), unique=True, index=True)  # SOL-2026-000123, set after insert
    statut = Column(String(20), nullable=False, default="brouillon", index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    # Who wrote it, as the website said (metadata): used to let a logged-in user read it back.
    connecte = Column(Boolean, nullable=False, default=False)
    compte_identifiant = Column(String(255), index=True)
    profil = Column(String(50))
    motif_escalade = Column(String(50))
    user_agent = Column(Text)
    # Routing, with the catalogue's labels at the time of writing (the catalogue may change).
    categorie = Column(String(100))
    categorie_libelle = Column(String(255))
    sous_categorie = Column(String(100))
    sous_categorie_libelle = Column(String(255))
    libelle_portail = Column(Boolean, nullable=False, default=False)  # documented portal labels
    destination = Column(String(50))  # support_outil or service_destinataire
    destination_libelle = Column(String(255))
    # The fields of the request.
    structure = Column(Text)
    siret = Column(String(14))
    identifiant = Column(Text)
    nom = Column(Text)
    email = Column(Text)
    telephone = Column(String(40))
    description = Column(Text)
    references_dossier = Column(Text)
    etapes = Column(Text)
    message_erreur = Column(Text)
    navigateur = Column(Text)
    transcription = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
