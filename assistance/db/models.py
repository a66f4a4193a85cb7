"""The tables of the application database. Their history is in migrations/versions/."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)

from assistance.db import Base, utcnow

OPEN_HANDOFF = text("status IN ('en_attente', 'en_cours')")


class Handoff(Base):
    """One request of a user to talk to a human advisor (a « transfert »), from queue to end."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # One open handoff per conversation, whoever asks at the same instant.
        Index("ux_handoffs_open_conversation", "conversation_id", unique=True,
              sqlite_where=OPEN_HANDOFF, postgresql_where=OPEN_HANDOFF),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    motif = Column(String(50))  # why the offer was made: incompris, vote_negatif, demande_directe
    profil = Column(String(50))
    # What the website said about the user: connecte, identifiant, structure, siret, navigateur.
    context = Column(JSON, nullable=False, default=dict)
    channel = Column(String(50))  # the user's input channel when the handoff started
    client_key = Column(String(32), index=True)  # keyed hash of the client's address (channels/)
    status = Column(String(20), nullable=False, default="en_attente", index=True)  # HandoffStatus
    queue_position = Column(Integer)  # place in the queue when it was created
    advisor_login = Column(String(100))
    advisor_name = Column(String(100))  # first name, shown to the user
    # The conversation with the assistant before the handoff: [{auteur, texte, horodatage}].
    transcript = Column(JSON, nullable=False, default=list)
    end_reason = Column(String(50))  # abandonnee: delai_depasse, chat_ferme (or doublon, 0003)
    rating = Column(Integer)  # the user's rating of the exchange, 1 to 5
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    taken_at = Column(DateTime(timezone=True))
    ended_at = Column(DateTime(timezone=True))


class HandoffMessage(Base):
    """A message of the user to the advisor, or of the advisor to the user."""

    __tablename__ = "handoff_messages"
    __table_args__ = (UniqueConstraint("handoff_id", "idempotency_key", name="uq_handoff_message_key"),)

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id"), nullable=False, index=True)
    author = Column(String(20), nullable=False)  # utilisateur or conseiller
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Advisor messages: went out into the conversation (sent_at), and reached the user's client
    # (delivered: acknowledged by the widget, or returned to a REST caller). User messages count
    # as delivered once stored.
    sent_at = Column(DateTime(timezone=True))
    delivered = Column(Boolean, nullable=False, default=False)
    # The desk's key for an advisor message: sending it again (a retry) does not duplicate it.
    idempotency_key = Column(String(64))


class AuditEvent(Base):
    """Who did what in the desk: logins (also refused ones) and advisors' actions on handoffs.

    `actor` is the advisor's login (None for an unknown login), `client_key` a keyed hash of the
    address; no user data is kept here.
    """

    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    actor = Column(String(100))
    action = Column(String(50), nullable=False)  # connexion, connexion_refusee, prise, message, …
    handoff_id = Column(Integer)
    client_key = Column(String(32))


class Sollicitation(Base):
    """One solicitation draft. Text fields hold what the user typed (or confirmed), verbatim.

    Field columns carry the catalogue's field codes (French domain words, `references` is
    `references_dossier`); see assistance/solicitations/draft.py.
    """

    __tablename__ = "sollicitations"

    id = Column(Integer, primary_key=True)
    reference = Column(String(32), unique=True, index=True)  # SOL-2026-000123, set after insert
    status = Column(String(20), nullable=False, default="brouillon", index=True)  # DraftStatus
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


class Vote(Base):
    """A 👍/👎 on one FAQ answer; at most one vote per answer."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("conversation_id", "answer_id", name="uq_vote_answer"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    answer_id = Column(String(64), nullable=False)
    topic = Column(String(100))
    user_message = Column(Text)
    value = Column(Integer, nullable=False)  # +1 or -1
    profil = Column(String(50))
    connecte = Column(Boolean)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
