"""A trainer's decision on an inbox item: written into the trainers' files, stored with who and
when, and the message leaves the inbox.

    confirmer       the assistant understood it right: the sentence joins its intent's examples
    corriger        it meant another intent or FAQ topic: the sentence joins that one
    hors_perimetre  out of the assistant's scope: joins `hors_perimetre`
    ignorer         nothing to learn from it (typing test, insult…): nothing written
    jeu_de_test     joins the held-out set (tests/nlu/test_nlu.yml) to grow the evaluation

Without the repository (an installation that only runs the assistant), decisions are stored all
the same and `export_yaml` hands them over as a Rasa NLU file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from assistance import names
from assistance.db import Database, aware
from assistance.db.models import TrainingDecision
from assistance.training.errors import TrainingError
from assistance.training.nlu_files import TrainingFiles, clean_sentence, nlu_yaml
from assistance.training.text import normalise

ACTIONS = ("confirmer", "corriger", "hors_perimetre", "ignorer", "jeu_de_test")
TEACHING = ("confirmer", "corriger", "hors_perimetre")  # actions that add a training example
NOT_AN_INTENT = {names.FALLBACK_INTENT, None, ""}


@dataclass(frozen=True)
class DecisionRequest:
    text: str
    action: str
    intent: str | None = None  # the right intent (corriger, jeu_de_test)
    predicted: str | None = None  # what the assistant understood
    confidence: float | None = None
    members: list[str] = field(default_factory=list)  # normalised texts of the group
    kinds: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)


def _target(request: DecisionRequest) -> str | None:
    if request.action == "hors_perimetre":
        return names.OUT_OF_SCOPE_INTENT
    if request.action == "confirmer":
        if request.predicted in NOT_AN_INTENT:
            raise TrainingError("prediction_absente")
        return request.predicted
    if request.action in ("corriger", "jeu_de_test"):
        intent = request.intent or (request.predicted if request.action == "jeu_de_test" else None)
        if intent in NOT_AN_INTENT:
            raise TrainingError("intention_inconnue", intent=intent)
        return intent
    return None


def decision_json(row: TrainingDecision) -> dict[str, Any]:
    return {
        "id": row.id,
        "text": row.text,
        "action": row.action,
        "intent": row.intent,
        "predicted": row.predicted,
        "confidence": row.confidence,
        "outcome": row.outcome,
        "file": row.target_file,
        "kinds": list(row.kinds or []),
        "occurrences": row.occurrences,
        "trainer": row.trainer_login,
        "created_at": aware(row.created_at).isoformat(),
        "activated_run_id": row.activated_run_id,
    }


def decide(db: Database, files: TrainingFiles, request: DecisionRequest, trainer: str) -> dict[str, Any]:
    """Carry out and store one decision; TrainingError when the files refuse it."""
    if request.action not in ACTIONS:
        raise TrainingError("action_inconnue")
    text = clean_sentence(request.text)
    intent = _target(request)
    outcome, target_file = "rien", None
    if intent is not None:
        if not files.available:
            outcome = "sans_depot"
        else:
            if request.action == "jeu_de_test":
                written = files.add_held_out_example(intent, text)
            else:
                written = files.add_training_example(intent, text)
            outcome = "ecrit" if written.written else "deja_present"
            target_file = files.relative(written.file)
    normalized = normalise(text)
    members = sorted({normalized, *(normalise(m) for m in request.members if m)})
    with db.session() as session:
        row = TrainingDecision(
            text=text, normalized=normalized, members=members, kinds=list(request.kinds),
            occurrences=max(1, len(request.sources)), sources=list(request.sources)[:200],
            action=request.action, intent=intent, predicted=request.predicted,
            confidence=request.confidence, outcome=outcome, target_file=target_file,
            trainer_login=trainer,
        )
        session.add(row)
        session.flush()
        return decision_json(row)


def decided_texts(db: Database) -> set[str]:
    """Normalised texts a trainer already decided on: they stay out of the inbox."""
    with db.session() as session:
        rows = session.execute(select(TrainingDecision.normalized, TrainingDecision.members)).all()
    return {text for normalized, members in rows for text in (normalized, *(members or []))}


def list_decisions(db: Database, *, limit: int = 200) -> list[dict[str, Any]]:
    with db.session() as session:
        rows = session.scalars(
            select(TrainingDecision).order_by(TrainingDecision.id.desc()).limit(limit)
        ).all()
        return [decision_json(row) for row in rows]


def taught_since_activation(db: Database) -> list[dict[str, Any]]:
    """Sentences taught (in the training data) that no activated model has learnt yet: the
    probes of the next run's « is it understood now? »."""
    with db.session() as session:
        rows = session.scalars(
            select(TrainingDecision)
            .where(
                TrainingDecision.action.in_(TEACHING),
                TrainingDecision.outcome.in_(("ecrit", "deja_present")),
                TrainingDecision.activated_run_id.is_(None),
            )
            .order_by(TrainingDecision.id)
        ).all()
        return [{"decision_id": r.id, "text": r.text, "intent": r.intent} for r in rows]


def mark_learnt(db: Database, decision_ids: list[int], run_id: int) -> None:
    if not decision_ids:
        return
    with db.session() as session:
        session.execute(
            update(TrainingDecision)
            .where(TrainingDecision.id.in_(decision_ids), TrainingDecision.activated_run_id.is_(None))
            .values(activated_run_id=run_id)
        )


def export_yaml(db: Database, *, held_out: bool = False, since: datetime | None = None) -> str:
    """The decisions as a Rasa NLU file: the taught examples, or (held_out) the test ones."""
    actions = ("jeu_de_test",) if held_out else TEACHING
    query = select(TrainingDecision).where(TrainingDecision.action.in_(actions))
    if since is not None:
        query = query.where(TrainingDecision.created_at >= since)
    examples: dict[str, list[str]] = {}
    with db.session() as session:
        for row in session.scalars(query.order_by(TrainingDecision.intent, TrainingDecision.id)):
            sentences = examples.setdefault(row.intent, [])
            if row.text not in sentences:
                sentences.append(row.text)
    kind = "held-out examples (tests/nlu/)" if held_out else "training examples (data/nlu/)"
    return nlu_yaml(examples, comment=f"Claud.IA trainers' decisions: {kind}, exported by the workbench.")
