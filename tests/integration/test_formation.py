"""The trainers' workbench against real servers: conversations played over REST through Rasa and
the action server, read back from Rasa's tracker store (SQLite and PostgreSQL) by the desk's
« Formation » API and by scripts/report.py.

The dashboard's figures are checked on SQLite only: the PostgreSQL database `test` is shared with
other test runs on this machine, whose conversations would count too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from assistance import handoffs
from assistance.handoffs import EndReason
from desk.advisors import hash_password
from tests.integration.test_conseiller import api, close, handoff_of, raw, take
from tests.stack import DESK_API_TOKEN, ROOT, Stack, texts

TRAINER, ADVISOR = "fanny", "alice"
NONSENSE = ["qsdkjfh qlskdjf", "blorg fizzle wobble"]


@pytest.fixture(scope="module")
def workbench(stack: Stack, tmp_path_factory) -> Stack:
    """The desk beside the stack with a trainer and an advisor, on a copy of the trainers' files."""
    folder = tmp_path_factory.mktemp(f"formation-{stack.name}")
    project = folder / "projet"
    shutil.copytree(ROOT / "data" / "nlu", project / "data" / "nlu")
    shutil.copytree(ROOT / "tests" / "nlu", project / "tests" / "nlu")
    advisors = folder / "advisors.yml"
    advisors.write_text(
        "conseillers:\n"
        f"  - {{identifiant: {TRAINER}, prenom: Fanny, roles: [formateur], "
        f"mot_de_passe_bcrypt: '{hash_password('mdp-fanny', rounds=4)}'}}\n"
        f"  - {{identifiant: {ADVISOR}, prenom: Alice, "
        f"mot_de_passe_bcrypt: '{hash_password('mdp-alice', rounds=4)}'}}\n",
        encoding="utf-8",
    )
    stack.start_desk(ADVISORS_FILE=str(advisors), TRAINING_PROJECT=str(project),
                     TRAINING_WORKDIR=str(folder / "atelier"))
    stack.training_project = project
    yield stack
    stack.stop("desk")


def formation(stack: Stack, path: str, body=None, advisor: str | None = TRAINER):
    method = "GET" if body is None else "POST"
    return api(stack, method, f"/api/formation{path}", body, advisor=advisor)


def test_a_misunderstood_message_reaches_the_inbox_and_is_marked_out_of_scope(workbench: Stack):
    sender = f"test-{uuid.uuid4().hex[:12]}"
    question = f"blorg {uuid.uuid4().hex[:6]} fizzle wobble"  # nonsense, with a mark of this run
    answer = texts(workbench.say(sender, question))
    assert "pas bien compris" in answer or "je réponds aux questions sur Chorus Pro" in answer
    status, body = formation(workbench, "/boite?type=incompris,hors_perimetre")
    assert status == 200
    [item] = [i for i in body["items"] if i["text"] == question]
    [occurrence] = item["occurrences"]
    assert occurrence["conversation_id"] == sender
    assert [t["author"] for t in occurrence["context"]][:2] == ["utilisateur", "assistant"]
    status, body = formation(workbench, "/decisions", {**item, "action": "hors_perimetre"})
    assert status == 201, body
    assert (body["file"], body["intent"]) == ("data/nlu/hors_perimetre.yml", "hors_perimetre")
    written = (workbench.training_project / "data" / "nlu" / "hors_perimetre.yml").read_text(encoding="utf-8")
    assert f"    - {question}\n" in written
    status, body = formation(workbench, "/boite?type=incompris,hors_perimetre")
    assert question not in [i["text"] for i in body["items"]]
    # An advisor account reaches none of it.
    assert formation(workbench, "/boite", advisor=ADVISOR)[0] == 403


def test_the_dashboard_counts_conversations_played_through_the_servers(workbench: Stack):
    if workbench.backend != "sqlite":
        pytest.skip("the PostgreSQL test database is shared with other runs: exact counts on SQLite")
    time.sleep(1)  # apart from the conversations of the tests before: the period starts now
    since = datetime.now(timezone.utc)
    run = uuid.uuid4().hex[:8]

    def conversation(name: str) -> str:
        return f"tdb-{run}-{name}"

    for index in range(7):  # answered, nothing else
        workbench.say(conversation(f"ok{index}"), "comment créer un compte ?")
    workbench.say(conversation("ok0"), "/vote_positif")
    direct = conversation("direct")
    assert "Voulez-vous lui parler" in texts(workbench.say(direct, "je veux parler à un conseiller"))
    workbench.say(direct, "/affirmer")
    unhappy = conversation("vote")
    workbench.say(unhappy, "comment créer un compte ?")
    assert "Voulez-vous lui parler" in texts(workbench.say(unhappy, "/vote_negatif"))
    workbench.say(unhappy, "/affirmer")
    lost = conversation("incompris")
    workbench.say(lost, NONSENSE[0])
    assert "Voulez-vous lui parler" in texts(workbench.say(lost, NONSENSE[1]))
    workbench.say(lost, "/nier")

    handoff = handoff_of(workbench, direct)
    take(workbench, handoff["id"], ADVISOR)
    close(workbench, handoff["id"], ADVISOR)
    # The second one is given up as the desk's sweeper would once the waiting delay is over.
    assert handoffs.abandon(workbench.core.db, handoff_of(workbench, unhappy)["id"], EndReason.DELAY_EXCEEDED)

    until = datetime.now(timezone.utc) + timedelta(seconds=1)
    window = urllib.parse.urlencode({"du": since.isoformat(), "au": until.isoformat()})
    status, body = formation(workbench, f"/tableau-de-bord?{window}")
    assert status == 200, body
    totals = body["totals"]
    assert (totals["conversations"], totals["offers"], totals["offers_accepted"]) == (10, 3, 2)
    assert totals["containment"] == pytest.approx(0.7)
    assert totals["offers_by_motif"] == {"incompris": 1, "vote_negatif": 1, "demande_directe": 1, "autre": 0}
    assert totals["accepted_by_outcome"] == {"transfert": 2, "sollicitation": 0}
    assert (totals["handoffs"], totals["handoffs_taken"], totals["handoffs_abandoned"]) == (2, 1, 1)
    assert totals["misunderstood"] == 2
    topics = {v["topic"]: (v["positive"], v["negative"]) for v in body["votes_by_topic"]}
    assert topics == {"creer_compte": (1, 1)}

    # The bare API token reads the same figures, as a CSV table.
    status, headers, csv = raw(workbench, "GET", f"/api/formation/tableau-de-bord/indicateurs.csv?{window}",
                               headers={"Authorization": f"Bearer {DESK_API_TOKEN}"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert csv.lstrip("\ufeff").splitlines()[-1].startswith("total;10;7;70.0;3;1;1;1;0;2;")

    # And so does the command for a weekly e-mail.
    env = {**workbench.env(), "PYTHONPATH": str(ROOT)}
    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "report.py"), "--du", since.isoformat(),
         "--au", until.isoformat(), "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    assert json.loads(printed.stdout)["totals"]["containment"] == pytest.approx(0.7)
    summary = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "report.py"), "--du", since.isoformat(),
         "--au", until.isoformat()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert "Conversations : 10 ; sans offre d'un humain : 7 (70.0 %)" in summary
