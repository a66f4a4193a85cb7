"""The retraining job without Rasa: a stand-in for the project's Python answers `-m rasa data
validate`, `-m rasa train` and bench/nlu_eval.py the way they print and write, so that the
stages, the epochs read from the output, the gate and the before/after report are checked here
(tests/e2e/test_formation.py runs the real ones)."""

import json
import shutil
import sys
import textwrap
import time
from dataclasses import replace

import pytest

from assistance.settings import PROJECT_ROOT
from assistance.training import retrain
from assistance.training.errors import TrainingError
from assistance.training.retrain import Retrainer

FAKE_PYTHON = textwrap.dedent('''\
    #!{python}
    import json, os, sys, time
    args = sys.argv[1:]
    log = open(os.environ["FAKE_CALLS"], "a")
    log.write(" ".join(args) + "\\n")
    if args[:4] == ["-m", "rasa", "data", "validate"]:
        if os.environ.get("FAKE_INVALID"):
            print("UserWarning: Issue found in 'data/nlu/faq.yml'", flush=True)
            sys.exit(1)
        print("2026-12-01 INFO rasa.validator - Validating intents...", flush=True)
    elif args[:3] == ["-m", "rasa", "train"]:
        out = args[args.index("--out") + 1]
        name = args[args.index("--fixed-model-name") + 1]
        print("INFO rasa.engine.training.hooks - Starting to train component 'DIETClassifier'.", flush=True)
        for epoch in range(1, 9):
            sys.stderr.write(f"\\rEpochs:  {{epoch * 12}}%|###| {{epoch}}/8 [00:0{{epoch}}<00:10, 1.0s/it]")
            sys.stderr.flush()
            time.sleep(0.3)  # the desk writes the progress once a second
        path = os.path.join(out, name + ".tar.gz")
        open(path, "wb").write(b"model")
        print(f"Your Rasa model is trained and saved at '{{path}}'.", flush=True)
    else:  # bench/nlu_eval.py
        model = args[args.index("--model") + 1]
        out = args[args.index("--json") + 1]
        probes = json.load(open(args[args.index("--probes") + 1]))
        new = "formation" in model
        faq = 0.93 if new else 0.92
        sets = {{}}
        for index, value in enumerate(args):
            if value == "--test-file":
                name = os.path.basename(args[index + 1])
                sets[name] = {{"examples": 10, "intent_accuracy": 0.95, "faq_topic_accuracy": faq,
                               "out_of_scope_rate": 0.9, "per_intent": {{"faq/avoir": {{
                                   "total": 10, "correct": 9 if new else 8, "accuracy": 0.9}}}},
                               "confusion": {{"faq/avoir": {{"faq/avoir": 9, "nlu_fallback": 1}}}}}}
        open(args[args.index("--confusion-png") + 1], "wb").write(b"png")
        passed = not os.environ.get("FAKE_GATE_FAILS")
        json.dump({{"sets": sets, "probes": [dict(p, predicted=p["intent"] if new else "nlu_fallback",
                   understood=new, confidence=0.9) for p in probes],
                   "gate": {{"passed": passed, "checks": []}}}}, open(out, "w"))
''')


@pytest.fixture
def retrainer(core, tmp_path, monkeypatch):
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", tmp_path / "projet" / "data" / "nlu")
    shutil.copytree(PROJECT_ROOT / "tests" / "nlu", tmp_path / "projet" / "tests" / "nlu")
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON.format(python=sys.executable), encoding="utf-8")
    python.chmod(0o755)
    monkeypatch.setenv("FAKE_CALLS", str(tmp_path / "calls.log"))
    core.settings = replace(core.settings, training_project=tmp_path / "projet",
                            training_workdir=tmp_path / "atelier", finetune_fraction=0.1)
    base = tmp_path / "claudia.tar.gz"
    base.write_bytes(b"base")
    return Retrainer(core.db, core.settings, python=str(python)), base


def finished(core, run_id: int, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        row = retrain.get_run(core.db, run_id)
        if row.status != "en_cours":
            return retrain.run_json(row)
        assert time.monotonic() < deadline, "the run never ended"
        time.sleep(0.05)


def test_a_run_validates_fine_tunes_and_compares(retrainer, core, tmp_path):
    job, base = retrainer
    run = job.start("fanny", base)
    assert (run["status"], run["stage"], run["finetuned"]) == ("en_cours", "validation", True)
    with pytest.raises(TrainingError) as busy:
        job.start("paul", base)
    assert busy.value.code == "entrainement_en_cours"
    done = finished(core, run["id"])
    assert (done["status"], done["stage"], done["gate_passed"]) == ("reussi", "termine", True)
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert calls[0].startswith("-m rasa data validate --domain domain --data data --config config.yml")
    assert f"--finetune {base} --epoch-fraction 0.1" in calls[1]
    assert "--test-file" in calls[2] and "test_nlu_blind.yml" in calls[2]  # the gate's two files
    assert "--before" in calls[3]
    report = done["report"]
    assert report["before"]["sets"]["test_nlu.yml"]["faq_topic_accuracy"] == 0.92
    assert report["after"]["sets"]["test_nlu.yml"]["faq_topic_accuracy"] == 0.93
    assert report["per_intent"] == [
        {"intent": "faq/avoir", "examples": 20, "before": 0.8, "after": 0.9, "delta": pytest.approx(0.1)}
    ]
    assert report["after"]["confused_pairs"] == [
        {"truth": "faq/avoir", "predicted": "nlu_fallback", "count": 2}
    ]
    assert done["model"] == f"formation-{run['id']}.tar.gz"


def test_the_epochs_are_read_from_rasas_output(retrainer, core, monkeypatch):
    monkeypatch.setattr(retrain, "PROGRESS_EVERY", 0.0)  # every line of progress is written
    job, base = retrainer
    run = job.start("fanny", base)
    seen = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = retrain.get_run(core.db, run["id"])
        progress = row.progress or {}
        if progress.get("epochs"):
            seen.add((progress["component"], progress["epoch"], progress["epochs"]))
        if row.status != "en_cours":
            break
        time.sleep(0.02)
    assert seen and all(component == "DIETClassifier" and epochs == 8 for component, _, epochs in seen)
    assert max(epoch for _, epoch, _ in seen) >= 2


def test_invalid_data_stops_the_run_with_rasas_words(retrainer, core, monkeypatch):
    job, base = retrainer
    monkeypatch.setenv("FAKE_INVALID", "1")
    done = finished(core, job.start("fanny", base)["id"])
    assert (done["status"], done["error"]) == ("echoue", "validation_echouee")
    assert "Issue found in 'data/nlu/faq.yml'" in done["progress"]["log"]


def test_a_run_left_running_by_a_restart_is_marked_interrupted(retrainer, core):
    job, base = retrainer
    finished(core, job.start("fanny", base)["id"])
    with core.db.session() as session:
        from assistance.db.models import TrainingRun

        session.add(TrainingRun(status="en_cours", stage="entrainement", progress={}, trainer_login="x",
                                finetuned=False, probes=[]))
    assert retrain.recover_interrupted(core.db) == 1
    assert [r["status"] for r in retrain.list_runs(core.db)] == ["interrompu", "reussi"]


def test_the_running_models_figures_are_kept_for_the_next_run(retrainer, core, tmp_path):
    job, base = retrainer
    finished(core, job.start("fanny", base)["id"])
    finished(core, job.start("fanny", base)["id"])
    evaluations = [line for line in (tmp_path / "calls.log").read_text().splitlines() if "--model" in line]
    assert [str(base) in line for line in evaluations] == [True, False, False]  # before once, after twice
    [kept] = (tmp_path / "atelier" / "evaluations").glob("*.json")
    assert json.loads(kept.read_text())["model"] == base.name
