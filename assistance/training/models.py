"""Which model the Rasa server runs, as the workbench put it there: activations and restores.

Rasa's /status names the running model's file only; the workbench keeps the full path of every
model it activated (model_activations), the model Rasa started with being RASA_MODEL. Only a run
whose model passed the NLU gate can be activated; the model it replaced can be put back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from assistance.db import Database, aware
from assistance.db.models import ModelActivation, TrainingRun
from assistance.training.errors import TrainingError

ACTIVATION, RESTORE = "activation", "restauration"


def _latest(db: Database) -> ModelActivation | None:
    with db.session() as session:
        row = session.scalars(select(ModelActivation).order_by(ModelActivation.id.desc()).limit(1)).first()
        if row is not None:
            session.expunge(row)
        return row


def active_model(db: Database, started_with: Path) -> Path:
    """The model the workbench last put into service, else the one Rasa started with."""
    latest = _latest(db)
    return Path(latest.model_path) if latest is not None else started_with


def activatable(db: Database, run_id: int) -> TrainingRun:
    """The run, if its model may go into service; TrainingError otherwise."""
    with db.session() as session:
        run = session.get(TrainingRun, run_id)
        if run is None:
            raise TrainingError("entrainement_introuvable")
        session.expunge(run)
    if run.status != "reussi" or not run.gate_passed:
        raise TrainingError("porte_non_franchie")
    if not run.model_path or not Path(run.model_path).is_file():
        raise TrainingError("modele_introuvable")
    return run


def previous_model(db: Database) -> Path:
    """The model the latest activation replaced (what « restore » puts back)."""
    latest = _latest(db)
    if latest is None or not latest.previous_model_path:
        raise TrainingError("aucun_modele_precedent")
    path = Path(latest.previous_model_path)
    if not path.is_file():
        raise TrainingError("modele_introuvable")
    return path


def activation_json(row: ModelActivation) -> dict[str, Any]:
    return {
        "id": row.id, "run_id": row.run_id, "action": row.action,
        "model": Path(row.model_path).name, "previous_model": (
            Path(row.previous_model_path).name if row.previous_model_path else None
        ),
        "trainer": row.trainer_login, "created_at": aware(row.created_at).isoformat(),
    }


def record(
    db: Database, *, action: str, model_path: Path, previous: Path | None, trainer: str,
    run_id: int | None = None,
) -> dict[str, Any]:
    with db.session() as session:
        row = ModelActivation(
            run_id=run_id, action=action, model_path=str(model_path),
            previous_model_path=str(previous) if previous else None, trainer_login=trainer,
        )
        session.add(row)
        session.flush()
        return activation_json(row)


def history(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    with db.session() as session:
        rows = session.scalars(select(ModelActivation).order_by(ModelActivation.id.desc()).limit(limit))
        return [activation_json(row) for row in rows]
