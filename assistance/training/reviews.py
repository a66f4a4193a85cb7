"""Reviews of FAQ answers rated 👎: why the answer failed, its fix, and where that stands.

A trainer tags a 👎 with a reason, may open the answer's text (the `responses:` of data/nlu/*.yml)
and edit it, and moves the review from « à revoir » to « corrigée » or « ne sera pas corrigée ».
Every edit of an answer is stored (response_edits) with the text before and after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from assistance.db import Database, aware
from assistance.db.models import AnswerReview, ResponseEdit, Vote
from assistance.names import FAQ_PREFIX
from assistance.training.conversations import find_answer, read_conversations
from assistance.training.errors import TrainingError
from assistance.training.nlu_files import TrainingFiles, Variation
from assistance.training.tracker import TrackerReader

REASONS = ("sujet_mal_compris", "reponse_erronee", "reponse_peu_claire", "question_non_couverte")
STATES = ("a_revoir", "corrigee", "ne_sera_pas_corrigee")
TO_REVIEW = "a_revoir"


def negative_votes(
    db: Database, *, since: datetime | None = None, until: datetime | None = None
) -> list[Vote]:
    query = select(Vote).where(Vote.value < 0)
    if since is not None:
        query = query.where(Vote.created_at >= since)
    if until is not None:
        query = query.where(Vote.created_at < until)
    with db.session() as session:
        votes = list(session.scalars(query.order_by(Vote.id)).all())
        session.expunge_all()
    return votes


def _review_json(review: AnswerReview | None) -> dict[str, Any]:
    if review is None:
        return {"reason": None, "state": TO_REVIEW, "note": None, "reviewer": None, "updated_at": None}
    return {
        "reason": review.reason,
        "state": review.state,
        "note": review.note,
        "reviewer": review.reviewer_login,
        "updated_at": aware(review.updated_at).isoformat(),
    }


def negative_answers(
    db: Database, tracker: TrackerReader, *, state: str | None = None, topic: str | None = None,
    since: datetime | None = None, until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every 👎 of the period with its question, the answer given and its review, newest first."""
    votes = [v for v in negative_votes(db, since=since, until=until) if not topic or v.topic == topic]
    with db.session() as session:
        reviews = {
            r.vote_id: _review_json(r)
            for r in session.scalars(
                select(AnswerReview).where(AnswerReview.vote_id.in_([v.id for v in votes]))
            )
        }
    events = tracker.events({v.conversation_id for v in votes})
    conversations = {sender: read_conversations(sender, found) for sender, found in events.items()}
    listed = []
    for vote in reversed(votes):
        review = reviews.get(vote.id) or _review_json(None)
        if state and review["state"] != state:
            continue
        match = find_answer(conversations.get(vote.conversation_id, []), vote.answer_id)
        question, answer = vote.user_message, []
        if match is not None:
            question, answer = match[1].text, match[1].answer
        listed.append({
            "vote_id": vote.id,
            "conversation_id": vote.conversation_id,
            "created_at": aware(vote.created_at).isoformat(),
            "topic": vote.topic,
            "response": f"{FAQ_PREFIX}{vote.topic}" if vote.topic else None,
            "question": question,
            "answer": answer,
            "profil": vote.profil,
            "connecte": vote.connecte,
            "review": review,
        })
    return listed


def review(
    db: Database, vote_id: int, *, reviewer: str, reason: str | None = None,
    state: str | None = None, note: str | None = None,
) -> dict[str, Any]:
    """Tag a 👎 with a reason and/or move its review to another state."""
    if reason is not None and reason not in REASONS:
        raise TrainingError("motif_inconnu")
    if state is not None and state not in STATES:
        raise TrainingError("etat_inconnu")
    with db.session() as session:
        vote = session.get(Vote, vote_id)
        if vote is None or vote.value >= 0:
            raise TrainingError("vote_introuvable")
        row = session.scalars(select(AnswerReview).where(AnswerReview.vote_id == vote_id)).first()
        if row is None:
            row = AnswerReview(vote_id=vote_id, state=TO_REVIEW, reviewer_login=reviewer)
            session.add(row)
        if reason is not None:
            row.reason = reason
        if state is not None:
            row.state = state
        if note is not None:
            row.note = note.strip()[:2000] or None
        row.reviewer_login = reviewer
        session.flush()
        return {"vote_id": vote_id, **_review_json(row)}


def variation_json(variation: Variation, files: TrainingFiles) -> dict[str, Any]:
    return {
        "response": variation.response,
        "index": variation.index,
        "conditions": variation.conditions,
        "text": variation.text,
        "file": files.relative(variation.file),
    }


def edit_answer(
    db: Database, files: TrainingFiles, response: str, index: int, text: str, *,
    expected: str | None, trainer: str, vote_id: int | None = None,
) -> dict[str, Any]:
    """Write a new text for one variation of an answer, and keep the change."""
    before = files.variations(response)
    if not 0 <= index < len(before):
        raise TrainingError("reponse_introuvable", response=response)
    changed = files.set_response_text(response, index, text, expected)
    with db.session() as session:
        if vote_id is not None and session.get(Vote, vote_id) is None:
            vote_id = None
        session.add(ResponseEdit(
            response=response, variation=index, old_text=before[index].text, new_text=changed.text,
            target_file=files.relative(changed.file), vote_id=vote_id, trainer_login=trainer,
        ))
    return variation_json(changed, files)
