"""Handoffs to human advisors (live chat) and the messages exchanged during them."""

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Text

from actions.persistence import Base, utcnow

__all__ = ["Handoff", "HandoffMessage", "OPEN_STATUSES"]

# Status of a handoff (domain values, in French):
#   en_attente  queued, no advisor yet
#   en_cours    an advisor took it and chats with the user
#   cloturee    the advisor closed it; the assistant took back over
#   abandonnee  nobody took it in time, or the live chat closed meanwhile
OPEN_STATUSES = ("en_attente", "en_cours")


class Handoff(Base):
    """One request of a user to talk to a human advisor, from the queue to its end."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    motif = Column(String(50))  # incompris, vote_negatif, demande_directe
    profil = Column(String(50))
    # What the website said about the user: connecte, identifiant, structure, siret, navigateur.
    context = Column(JSON, nullable=False, default=dict)
    channel = Column(String(50))  # the user's input channel when the handoff started
    status = Column(String(20), nullable=False, default="en_attente", index=True)
    queue_position = Column(Integer)  # place in the queue when it was created
    advisor_login = Column(String(100))
    advisor_name = Column(String(100))  # first name, shown to the user
    # The conversation with the assistant before the handoff: [{auteur, texte, horodatage}].
    transcript = Column(JSON, nullable=False, default=list)
    end_reason = Column(String(50))  # abandonnee: delai_depasse or chat_ferme
    rating = Column(Integer)  # the user's rating of the exchange, 1 to 5
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    taken_at = Column(DateTime(timezone=True))
    ended_at = Column(DateTime(timezone=True))


class HandoffMessage(Base):
    """A message of the user to the advisor, or of the advisor to the user."""

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id"), nullable=False, index=True)
    author = Column(String(20), nullable=False)  # utilisateur or conseiller
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Advisor messages: shown to the user yet? User messages count as delivered once stored.
    delivered = Column(Boolean, nullable=False, default=False)
