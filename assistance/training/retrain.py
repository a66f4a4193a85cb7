"""Retrain and compare: validate the data, train a model, run the NLU gate on it and on the
running model, and keep the before/after side by side.

One run at a time, in a background thread of the process that starts it (the desk); its state
lives in `training_runs`, which the page polls. Every step is a subprocess of this project's
Python: `rasa data validate`, `rasa train` (fine-tuning the running model on a small data change
when FORMATION_FRACTION_EPOQUES > 0: a share of the epochs instead of a full training), then
bench/nlu_eval.py on every held-out file with the sentences just taught. Rasa's output is read
as it comes for the stage (the component being trained) and the epoch, so the page shows where
the training stands.

The figures of the running model are computed once per model file and kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from assistance.db import Database, aware, utcnow
from assistance.db.models import TrainingRun
from assistance.settings import PROJECT_ROOT, Settings
from assistance.training import compare, decisions
from assistance.training.errors import TrainingError
from assistance.training.nlu_files import TrainingFiles

logger = logging.getLogger(__name__)

BENCH = PROJECT_ROOT / "bench" / "nlu_eval.py"
HELD_OUT_FILES = ("test_nlu.yml", "test_nlu_blind.yml")  # the gate's files, when present
NONSENSE_FILE = "hors_perimetre_nonsense.txt"
RUNNING, SUCCEEDED, FAILED, INTERRUPTED = "en_cours", "reussi", "echoue", "interrompu"
_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
_EPOCH = re.compile(r"Epochs:\s+\d+%.*?(\d+)/(\d+)")
_SAVED = re.compile(r"Your Rasa model is trained and saved at '([^']+)'")
PROGRESS_EVERY = 1.0  # seconds between two writes of the progress


@dataclass(frozen=True)
class Step:
    stage: str
    args: list[str]
    cwd: Path
    log: Path


def run_json(row: TrainingRun) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "stage": row.stage,
        "progress": dict(row.progress or {}),
        "trainer": row.trainer_login,
        "base_model": row.base_model,
        "model": Path(row.model_path).name if row.model_path else None,
        "finetuned": row.finetuned,
        "probes": list(row.probes or []),
        "report": row.report,
        "gate_passed": row.gate_passed,
        "error": row.error,
        "started_at": aware(row.started_at).isoformat(),
        "ended_at": aware(row.ended_at).isoformat() if row.ended_at else None,
        "seconds": (
            (aware(row.ended_at) - aware(row.started_at)).total_seconds() if row.ended_at else None
        ),
    }


def get_run(db: Database, run_id: int) -> TrainingRun | None:
    with db.session() as session:
        row = session.get(TrainingRun, run_id)
        if row is not None:
            session.expunge(row)
        return row


def list_runs(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    with db.session() as session:
        rows = session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit)).all()
        return [run_json(row) for row in rows]


def recover_interrupted(db: Database) -> int:
    """Runs left « en cours » by a process that stopped: they will never finish."""
    with db.session() as session:
        result = session.execute(
            update(TrainingRun).where(TrainingRun.status == RUNNING)
            .values(status=INTERRUPTED, ended_at=utcnow(), error="interrompu par un redémarrage")
        )
        return result.rowcount


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha1()
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


class Retrainer:
    """Starts runs and carries them out, one at a time."""

    def __init__(self, db: Database, settings: Settings, *, python: str = sys.executable) -> None:
        self.db = db
        self.settings = settings
        self.project = settings.training_project
        self.workdir = settings.training_workdir
        self.python = python
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def files(self) -> TrainingFiles:
        return TrainingFiles(self.project)

    def held_out_files(self) -> list[Path]:
        folder = self.files.held_out_dir
        return [folder / name for name in HELD_OUT_FILES if (folder / name).is_file()]

    # Starting ------------------------------------------------------------------------------

    def start(self, trainer: str, base_model: Path | None) -> dict[str, Any]:
        """Start a run from the running model `base_model`; TrainingError if one is running."""
        if not self.files.available:
            raise TrainingError("donnees_absentes")
        probes = decisions.taught_since_activation(self.db)
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise TrainingError("entrainement_en_cours")
            with self.db.session() as session:
                if session.scalars(select(TrainingRun.id).where(TrainingRun.status == RUNNING)).first():
                    raise TrainingError("entrainement_en_cours")
                finetune = base_model is not None and base_model.is_file() and (
                    self.settings.finetune_fraction > 0
                )
                row = TrainingRun(
                    status=RUNNING, stage="validation", progress={}, trainer_login=trainer,
                    base_model=str(base_model) if base_model else None, finetuned=finetune,
                    probes=probes,
                )
                session.add(row)
                session.flush()
                run = run_json(row)
            self._thread = threading.Thread(
                target=self._carry_out, args=(run["id"],), name=f"retrain-{run['id']}", daemon=True
            )
            self._thread.start()
        return run

    # Carrying out --------------------------------------------------------------------------

    def _update(self, run_id: int, **values: Any) -> None:
        with self.db.session() as session:
            session.execute(update(TrainingRun).where(TrainingRun.id == run_id).values(**values))

    def _carry_out(self, run_id: int) -> None:
        row = get_run(self.db, run_id)
        folder = self.workdir / f"run-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            self._validate(run_id, folder)
            model = self._train(run_id, folder, Path(row.base_model) if row.finetuned else None)
            self._update(run_id, model_path=str(model), stage="evaluation",
                         progress={"evaluating": "modele_actuel"})
            before = self._evaluation(run_id, Path(row.base_model) if row.base_model else None,
                                      row.probes, folder, name="avant")
            self._update(run_id, progress={"evaluating": "nouveau_modele"})
            after = self._evaluation(run_id, model, row.probes, folder, name="apres", before=before)
            report = compare.report(before, after)
            self._update(run_id, status=SUCCEEDED, stage="termine", report=report,
                         gate_passed=bool(after["gate"]["passed"]), ended_at=utcnow(), progress={})
        except TrainingError as failure:
            self._update(run_id, status=FAILED, error=failure.code, ended_at=utcnow(),
                         progress={"log": failure.details.get("log", "")})
        except Exception as failure:  # noqa: BLE001 (the run must end, whatever happened)
            logger.exception("retraining run %s failed", run_id)
            self._update(run_id, status=FAILED, error=f"erreur_interne: {failure}"[:500],
                         ended_at=utcnow())

    def _execute(self, run_id: int, step: Step, on_line: Callable[[str], dict | None] | None = None) -> None:
        """Run a step, writing its output to its log; TrainingError(<stage>_echouee) on failure."""
        last_write, progress, tail = 0.0, {}, []
        with step.log.open("w", encoding="utf-8", buffering=1) as log, subprocess.Popen(
            step.args, cwd=step.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            encoding="utf-8", errors="replace", bufsize=1,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"},
        ) as process:
            for line in process.stdout:  # universal newlines: tqdm's \r ends a line too
                log.write(line)
                tail = (tail + [line.rstrip()])[-15:]
                found = on_line(line) if on_line else None
                if found:
                    progress.update(found)
                    if time.monotonic() - last_write >= PROGRESS_EVERY:
                        self._update(run_id, progress=dict(progress))
                        last_write = time.monotonic()
            code = process.wait()
        if progress:
            self._update(run_id, progress=dict(progress))
        if code != 0:
            raise TrainingError(f"{step.stage}_echouee", log="\n".join(line for line in tail if line))

    def _validate(self, run_id: int, folder: Path) -> None:
        self._update(run_id, stage="validation")
        self._execute(run_id, Step("validation", [
            self.python, "-m", "rasa", "data", "validate", "--domain", "domain", "--data", "data",
            "--config", "config.yml", "--fail-on-warnings",
        ], self.project, folder / "validation.log"))

    def _train(self, run_id: int, folder: Path, base_model: Path | None) -> Path:
        self._update(run_id, stage="entrainement", progress={})
        args = [
            self.python, "-m", "rasa", "train", "--domain", "domain", "--data", "data",
            "--config", "config.yml", "--out", str(folder), "--fixed-model-name", f"formation-{run_id}",
        ]
        if base_model is not None:
            args += ["--finetune", str(base_model), "--epoch-fraction", str(self.settings.finetune_fraction)]
        saved: list[str] = []

        def progress(line: str) -> dict | None:
            if match := _COMPONENT.search(line):
                return {"component": match.group(1), "epoch": None, "epochs": None}
            if match := _EPOCH.search(line):
                return {"epoch": int(match.group(1)), "epochs": int(match.group(2))}
            if match := _SAVED.search(line):
                saved.append(match.group(1))
            return None

        self._execute(run_id, Step("entrainement", args, self.project, folder / "train.log"), progress)
        model = Path(saved[-1]) if saved else folder / f"formation-{run_id}.tar.gz"
        if not model.is_file():
            raise TrainingError("entrainement_echouee", log="no model file was written")
        return model

    def _evaluation(
        self, run_id: int, model: Path | None, probes: list[dict], folder: Path, *, name: str,
        before: dict | None = None,
    ) -> dict:
        """bench/nlu_eval.py on the model: its figures, the gate, the taught sentences."""
        if model is None or not model.is_file():
            return {}
        test_files = self.held_out_files()
        nonsense = self.files.held_out_dir / NONSENSE_FILE
        cache = None
        if before is None:  # the running model: the same file gives the same figures
            key = _fingerprint([model, *test_files]) + hashlib.sha1(
                json.dumps(probes, sort_keys=True).encode()).hexdigest()[:8]
            cache = self.workdir / "evaluations" / f"{key}.json"
            if cache.is_file():
                return json.loads(cache.read_text(encoding="utf-8"))
        out = folder / f"{name}.json"
        picture = folder / f"{name}.png"
        probes_file = folder / "probes.json"
        probes_file.write_text(json.dumps(probes, ensure_ascii=False), encoding="utf-8")
        args = [self.python, str(BENCH), "--model", str(model), "--json", str(out),
                "--probes", str(probes_file), "--confusion-png", str(picture)]
        for test_file in test_files:
            args += ["--test-file", str(test_file)]
        if nonsense.is_file():
            args += ["--nonsense", str(nonsense)]
        if before and before.get("sets"):
            before_file = folder / "avant.gate.json"
            before_file.write_text(json.dumps({"sets": before["sets"]}), encoding="utf-8")
            args += ["--before", str(before_file)]
        self._execute(run_id, Step("evaluation", args, self.project, folder / f"{name}.log"))
        result = json.loads(out.read_text(encoding="utf-8"))
        result["model"] = model.name
        result["confusion_png"] = str(picture)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return result
