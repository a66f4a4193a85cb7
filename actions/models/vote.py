"""Votes on FAQ answers."""

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, UniqueConstraint

from actions.persistence import Base, utcnow


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
