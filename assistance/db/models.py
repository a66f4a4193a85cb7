"""The tables of the application database. Their history is in migrations/versions/."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
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


# --- The trainers' workbench (assistance/training) ------------------------------------------


class TrainingDecision(Base):
    """What a trainer decided about a message of the inbox (or a group of near-identical ones).

    `action`: confirmer (the prediction was right), corriger (another intent or FAQ topic),
    hors_perimetre, ignorer, jeu_de_test (sent to the held-out set). `outcome` says what the
    files got: ecrit, deja_present, rien (ignorer), sans_depot (no repository: export only).
    """

    __tablename__ = "training_decisions"

    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)  # the sentence as the user typed it
    normalized = Column(Text, nullable=False)
    members = Column(JSON, nullable=False, default=list)  # normalised texts of the group
    kinds = Column(JSON, nullable=False, default=list)  # incompris, vote_negatif…
    occurrences = Column(Integer, nullable=False, default=1)
    sources = Column(JSON, nullable=False, default=list)  # [{conversation_id, event_id}]
    action = Column(String(20), nullable=False, index=True)
    intent = Column(String(150))  # full intent written: faq/creer_compte, hors_perimetre…
    predicted = Column(String(150))  # what the assistant had understood
    confidence = Column(Float)
    outcome = Column(String(20), nullable=False)
    target_file = Column(String(255))  # relative to the project: data/nlu/faq_compte.yml
    trainer_login = Column(String(100), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    # The workbench run whose model, once activated, first knew this sentence.
    activated_run_id = Column(Integer, ForeignKey("training_runs.id"))


class AnswerReview(Base):
    """A trainer's review of an FAQ answer rated 👎: why it failed, and where its fix stands."""

    __tablename__ = "answer_reviews"

    id = Column(Integer, primary_key=True)
    vote_id = Column(Integer, ForeignKey("votes.id"), nullable=False, unique=True)
    # sujet_mal_compris, reponse_erronee, reponse_peu_claire, question_non_couverte
    reason = Column(String(40))
    state = Column(String(30), nullable=False, default="a_revoir")  # corrigee, ne_sera_pas_corrigee
    note = Column(Text)
    reviewer_login = Column(String(100), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class ResponseEdit(Base):
    """A trainer's change to the text of an answer (`responses:` in data/nlu/*.yml)."""

    __tablename__ = "response_edits"

    id = Column(Integer, primary_key=True)
    response = Column(String(150), nullable=False, index=True)  # utter_faq/creer_compte
    variation = Column(Integer, nullable=False)  # its place in the response's list
    old_text = Column(Text, nullable=False)
    new_text = Column(Text, nullable=False)
    target_file = Column(String(255), nullable=False)
    vote_id = Column(Integer, ForeignKey("votes.id"))  # the 👎 that led to it, if any
    trainer_login = Column(String(100), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class TrainingRun(Base):
    """One « retrain and compare » of the workbench: validation, training, NLU gate."""

    __tablename__ = "training_runs"

    id = Column(Integer, primary_key=True)
    status = Column(String(20), nullable=False, index=True)  # en_cours, reussi, echoue, interrompu
    stage = Column(String(40))  # validation, entrainement, evaluation, termine
    progress = Column(JSON, nullable=False, default=dict)  # component, epoch, epochs…
    trainer_login = Column(String(100), nullable=False)
    base_model = Column(Text)  # the model running when the run started (the « before »)
    model_path = Column(Text)  # the model it trained
    finetuned = Column(Boolean, nullable=False, default=False)
    probes = Column(JSON, nullable=False, default=list)  # the sentences taught since the last activation
    report = Column(JSON)  # before/after figures (assistance/training/compare.py)
    gate_passed = Column(Boolean)
    error = Column(Text)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = Column(DateTime(timezone=True))


class ModelActivation(Base):
    """A model put into service in the running Rasa server, or the previous one restored."""

    __tablename__ = "model_activations"

    id = Column(Integer, primary_key=True)
    run_id = Column(Integer, ForeignKey("training_runs.id"))
    action = Column(String(20), nullable=False)  # activation or restauration
    model_path = Column(Text, nullable=False)
    previous_model_path = Column(Text)
    trainer_login = Column(String(100), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
