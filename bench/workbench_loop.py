"""How long the trainers' loop takes: teach a misunderstood sentence, retrain, gate, activate.

Starts its own action server, Rasa server and desk (SQLite, loopback) on a copy of the trainers'
files, plays a conversation the model misunderstands, then does over the desk's API what a trainer
does in the « Formation » page: assign the topic, retrain and compare, activate. Prints the time
of every stage (validation, training, evaluation of the running and the new model, activation)
and whether the sentence is understood afterwards; the running model is restored at the end.

    .venv/bin/python bench/workbench_loop.py [--fraction 0.1] [--port-base 19500]

--fraction is FORMATION_FRACTION_EPOQUES: the share of epochs of the fine-tuning (0: full training).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk.advisors import hash_password  # noqa: E402
from tests.stack import DESK_API_TOKEN, Stack, texts  # noqa: E402

SENTENCE = "j'attends toujours la réponse à ma sollicitation"
TOPIC = "faq/suivi_sollicitation"
TRAINER = "formatrice"


def call(stack: Stack, method: str, path: str, body: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {DESK_API_TOKEN}", "X-Conseiller": TRAINER,
               "Content-Type": "application/json"}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{stack.desk_url}{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=900) as response:
        return json.loads(response.read() or b"null")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=None, help="share of epochs (0: full training)")
    parser.add_argument("--port-base", type=int, default=19500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        folder = Path(workdir)
        project = folder / "projet"
        project.mkdir()
        shutil.copy2(ROOT / "config.yml", project / "config.yml")
        for name in ("domain", "data"):
            shutil.copytree(ROOT / name, project / name)
        shutil.copytree(ROOT / "tests" / "nlu", project / "tests" / "nlu")
        advisors = folder / "advisors.yml"
        advisors.write_text(
            f"conseillers:\n  - {{identifiant: {TRAINER}, roles: [formateur], "
            f"mot_de_passe_bcrypt: '{hash_password(uuid.uuid4().hex, rounds=4)}'}}\n", encoding="utf-8"
        )
        stack = Stack(name="bench", workdir=folder / "stack", rasa_port=args.port_base + 5,
                      actions_port=args.port_base + 55)
        stack.start()
        extra = {"ADVISORS_FILE": str(advisors), "TRAINING_PROJECT": str(project),
                 "TRAINING_WORKDIR": str(folder / "atelier"), "PYTHONPATH": str(ROOT)}
        if args.fraction is not None:
            extra["FORMATION_FRACTION_EPOQUES"] = str(args.fraction)
        stack.start_desk(**extra)
        try:
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            print(f"before: {SENTENCE!r} -> {texts(stack.say(sender, SENTENCE))[:70]!r}")
            started = time.monotonic()
            [item] = [i for i in call(stack, "GET", "/api/formation/boite?type=incompris")["items"]
                      if i["text"] == SENTENCE]
            call(stack, "POST", "/api/formation/decisions", {**item, "action": "corriger", "intent": TOPIC})
            taught = time.monotonic()
            run = call(stack, "POST", "/api/formation/entrainements", {})
            stages: dict[str, float] = {}
            while run["status"] == "en_cours":
                key = run["stage"] if run["stage"] != "evaluation" else (
                    f"evaluation {run['progress'].get('evaluating', '')}".strip())
                stages.setdefault(key, time.monotonic())
                time.sleep(1)
                run = call(stack, "GET", f"/api/formation/entrainements/{run['id']}")
            ended = time.monotonic()
            if run["status"] != "reussi" or not run["gate_passed"]:
                print(f"run {run['status']}, gate passed: {run['gate_passed']}, error: {run['error']}")
                print(json.dumps(run["report"] and run["report"]["gate"], indent=1))
                return 1
            call(stack, "POST", f"/api/formation/entrainements/{run['id']}/activer", {})
            activated = time.monotonic()
            after = texts(stack.say(sender + "-apres", SENTENCE))
            marks = [*stages.items(), ("done", ended)]
            print(f"teach (inbox + decision): {taught - started:6.1f} s")
            for (name, begin), (_, end) in zip(marks, marks[1:], strict=False):
                print(f"{name:<30} {end - begin:6.1f} s")
            print(f"activation (PUT /model):  {activated - ended:6.1f} s")
            print(f"teach -> retrain -> activate: {activated - started:.1f} s "
                  f"({'fine-tuning' if run['finetuned'] else 'full training'})")
            for probe in run["report"]["probes"]:
                print(f"probe {probe['text']!r}: {probe['before_predicted']} -> {probe['predicted']}")
            for check in run["report"]["gate"]["checks"]:
                verdict = "ok" if check["passed"] else "FAIL"
                print(f"gate {check['file']:<20} {check['figure']:<20} {check['value']:.3f} "
                      f"(required {check['required']:.3f}, {check['rule']}) {verdict}")
            print(f"after: {SENTENCE!r} -> {after[:70]!r}")
            call(stack, "POST", "/api/formation/modele/restaurer", {})
            return 0
        finally:
            stack.stop()


if __name__ == "__main__":
    sys.exit(main())
