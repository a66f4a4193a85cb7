"""The « Formation » space of the desk in-process: who may open it, and its API over a real
tracker store file and a copy of the trainers' files. Rasa is not running here (retraining and
activation run against real servers in tests/e2e/test_formation.py)."""

import shutil
from dataclasses import replace

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from assistance.settings import PROJECT_ROOT
from desk.advisors import hash_password
from desk.app import create_app
from tests.unit.tracker_events import T0, Conversation, store

TOKEN = "jeton-de-test"
ACCOUNTS = {  # login: (password, roles)
    "alice": ("secret-alice", ["conseiller"]),
    "fanny": ("secret-fanny", ["formateur"]),
    "paul": ("secret-paul", ["conseiller", "formateur"]),
}
TRAINER_API = [
    ("GET", "/api/formation/intentions"),
    ("GET", "/api/formation/boite"),
    ("POST", "/api/formation/decisions"),
    ("GET", "/api/formation/decisions"),
    ("GET", "/api/formation/export.yml"),
    ("GET", "/api/formation/avis"),
    ("POST", "/api/formation/avis/1"),
    ("GET", "/api/formation/reponses?nom=utter_faq/avoir"),
    ("POST", "/api/formation/reponses"),
    ("GET", "/api/formation/entrainements"),
    ("POST", "/api/formation/entrainements"),
    ("GET", "/api/formation/entrainements/1"),
    ("POST", "/api/formation/entrainements/1/activer"),
    ("POST", "/api/formation/modele/restaurer"),
    ("GET", "/api/formation/tableau-de-bord"),
    ("GET", "/api/formation/tableau-de-bord/indicateurs.csv"),
]
ADVISOR_API = [
    ("GET", "/api/handoffs"),
    ("POST", "/api/handoffs/1/take"),
    ("GET", "/api/sollicitations/SOL-2026-000001"),
]


@pytest.fixture
async def desk(tmp_path, core, tracker_url):
    advisors = tmp_path / "advisors.yml"
    advisors.write_text(yaml.safe_dump({"conseillers": [
        {"identifiant": login, "prenom": login.title(), "mot_de_passe_bcrypt": hash_password(password, 4),
         "roles": roles}
        for login, (password, roles) in ACCOUNTS.items()
    ]}), encoding="utf-8")
    project = tmp_path / "projet"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", project / "data" / "nlu")
    shutil.copytree(PROJECT_ROOT / "tests" / "nlu", project / "tests" / "nlu")
    core.settings = replace(
        core.settings, rasa_url="http://127.0.0.1:9", rasa_jwt_secret="t" * 32, desk_api_token=TOKEN,
        advisors_file=advisors, allow_demo_accounts=False, session_hours=1, cookie_secure=False,
        tracker_database_url=tracker_url, training_project=project, training_workdir=tmp_path / "atelier",
    )
    async with TestClient(TestServer(create_app(core=core, sweep=False))) as client:
        yield client


async def logged_in(desk, login: str):
    response = await desk.post(
        "/connexion", data={"identifiant": login, "mot_de_passe": ACCOUNTS[login][0]}, allow_redirects=False
    )
    assert response.status == 303
    return response


def bearer(advisor: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if advisor:
        headers["X-Conseiller"] = advisor
    return headers


async def call(desk, method: str, path: str, headers=None):
    body = {} if method == "POST" else None
    return await desk.request(method, path, json=body, headers=headers or {}, allow_redirects=False)


async def test_an_advisor_cannot_open_the_trainers_pages_nor_their_api(desk):
    await logged_in(desk, "alice")
    page = await desk.get("/formation", allow_redirects=False)
    assert page.status == 403 and "réservé aux formateurs" in await page.text()
    for method, path in TRAINER_API:
        response = await call(desk, method, path)
        assert response.status == 403, path
        assert (await response.json())["error"] == "formateur_requis"
    assert (await desk.get("/")).status == 200  # their own console still opens


async def test_a_trainer_cannot_open_the_advisors_console_nor_its_api(desk):
    response = await logged_in(desk, "fanny")
    home = await desk.get("/", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/formation"
    page = await desk.get("/formation")
    assert page.status == 200 and "Formation de l'assistante" in await page.text()
    stylesheet = await desk.get("/static/formation.css")  # the script is built by make formation
    assert (stylesheet.status, stylesheet.content_type) == (200, "text/css")
    assert (await desk.get("/static/desk.js")).status == 403
    for method, path in ADVISOR_API:
        refused = await call(desk, method, path)
        assert refused.status == 403, path
        assert (await refused.json())["error"] == "role_conseiller_requis"
    me = await (await desk.get("/api/moi")).json()
    assert me["roles"] == ["formateur"]
    assert response.cookies["desk_session"]


async def test_the_token_acts_with_the_roles_of_the_account_it_names(desk):
    assert (await call(desk, "GET", "/api/formation/boite", bearer("alice"))).status == 403
    assert (await call(desk, "GET", "/api/formation/boite", bearer("fanny"))).status == 200
    assert (await call(desk, "GET", "/api/handoffs", bearer("fanny"))).status == 403
    # The bare token reads the dashboard's figures (a cron, a weekly report), nothing else here.
    assert (await call(desk, "GET", "/api/formation/tableau-de-bord", bearer())).status == 200
    assert (await call(desk, "GET", "/api/formation/tableau-de-bord/votes.csv", bearer())).status == 200
    assert (await call(desk, "GET", "/api/formation/boite", bearer())).status == 403
    assert (await call(desk, "GET", "/api/handoffs", bearer())).status == 200


async def test_a_trainer_teaches_a_misunderstood_message_from_the_inbox(desk, core, tracker_url):
    question = "ma demande au support reste sans suite"
    store(tracker_url, Conversation("u1", T0).user(question, "nlu_fallback", 0.5)
          .bot("Je n'ai pas bien compris votre demande."))
    await logged_in(desk, "paul")
    inbox = await (await desk.get("/api/formation/boite?du=2026-11-01&au=2026-12-31&type=incompris")).json()
    [item] = inbox["items"]
    assert item["text"] == "ma demande au support reste sans suite" and item["kinds"] == ["incompris"]
    context = [t["text"] for t in item["occurrences"][0]["context"]]
    assert context == [question, "Je n'ai pas bien compris votre demande."]
    decided = await desk.post("/api/formation/decisions", json={
        **item, "action": "corriger", "intent": "faq/suivi_sollicitation",
    })
    assert decided.status == 201
    body = await decided.json()
    assert (body["outcome"], body["file"], body["trainer"]) == ("ecrit", "data/nlu/faq_support.yml", "paul")
    again = await (await desk.get("/api/formation/boite?du=2026-11-01&au=2026-12-31")).json()
    assert again["items"] == []
    runs = await (await desk.get("/api/formation/entrainements")).json()
    assert [t["text"] for t in runs["taught"]] == [item["text"]]
    assert runs["rasa_reachable"] is False
    exported = await desk.get("/api/formation/export.yml")
    assert "attachment" in exported.headers["Content-Disposition"]
    assert item["text"] in yaml.safe_load(await exported.text())["nlu"][0]["examples"]


async def test_refusals_are_explained_in_french(desk):
    await logged_in(desk, "fanny")
    held_out = await desk.post("/api/formation/decisions", json={
        "text": "creation compte chorus", "action": "confirmer", "predicted": "faq/creer_compte",
    })
    assert held_out.status == 409
    assert "fait partie du jeu de test" in (await held_out.json())["message"]
    bad_date = await desk.get("/api/formation/boite?du=hier")
    assert bad_date.status == 400 and (await bad_date.json())["error"] == "parametre_invalide"
    missing = await desk.post("/api/formation/entrainements/42/activer", json={})
    assert missing.status == 404 and (await missing.json())["error"] == "entrainement_introuvable"
    no_previous = await desk.post("/api/formation/modele/restaurer", json={})
    assert (await no_previous.json())["error"] == "aucun_modele_precedent"


async def test_the_dashboard_downloads_as_csv(desk, tracker_url):
    store(tracker_url, Conversation("u1", T0).faq("créer un compte", "creer_compte"))
    await logged_in(desk, "fanny")
    report = await (await desk.get("/api/formation/tableau-de-bord?du=2026-12-01&au=2026-12-01")).json()
    assert report["totals"]["conversations"] == 1 and report["totals"]["containment"] == 1
    csv = await desk.get("/api/formation/tableau-de-bord/indicateurs.csv?du=2026-12-01&au=2026-12-01")
    assert csv.content_type == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    lines = (await csv.text()).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("periode;conversations;sans_offre;taux_autonomie_pct")
    assert lines[-1].startswith("total;1;1;100.0")
