"""The advisor desk app in-process (aiohttp test server) on a real SQLite database.

Rasa is not running here: wake-ups fail and the API says so (`notified: false`); the end-to-end
tests with Rasa are in tests/integration/test_conseiller.py.
"""

import asyncio
import json
import statistics
import time
from dataclasses import replace

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from assistance import audit, handoffs
from assistance.solicitations import repository
from assistance.solicitations.draft import DraftStatus
from desk.advisors import hash_password
from desk.app import create_app

TOKEN = "jeton-de-test"
PROTECTED = [
    ("GET", "/"),
    ("GET", "/static/desk.js"),
    ("GET", "/api/moi"),
    ("GET", "/api/handoffs"),
    ("GET", "/api/handoffs/1"),
    ("GET", "/api/handoffs/1/messages"),
    ("POST", "/api/handoffs/1/messages"),
    ("POST", "/api/handoffs/1/take"),
    ("POST", "/api/handoffs/1/close"),
    ("GET", "/api/sollicitations/SOL-2026-000001"),
    ("GET", "/api/sollicitations/SOL-2026-000001.txt"),
    ("GET", "/api/openapi.yaml"),
    ("DELETE", "/api/conversations/conv-1"),
    ("GET", "/formation"),
    ("GET", "/static/formation.js"),
    ("GET", "/api/formation/boite"),
    ("POST", "/api/formation/decisions"),
    ("POST", "/api/formation/entrainements"),
    ("GET", "/api/formation/tableau-de-bord"),
    ("GET", "/api/nimporte-quoi"),
    ("GET", "/nimporte-quoi"),
    ("POST", "/deconnexion"),
]


@pytest.fixture
async def desk(tmp_path, core):
    advisors = tmp_path / "advisors.yml"
    accounts = [
        {"identifiant": login, "prenom": login.title(), "mot_de_passe_bcrypt": hash_password(password, 10)}
        for login, password in (("alice", "secret-alice"), ("bruno", "secret-bruno"), ("demo", "demo"))
    ]
    accounts[-1]["demo"] = True
    advisors.write_text(yaml.safe_dump({"conseillers": accounts}), encoding="utf-8")
    core.settings = replace(
        core.settings, rasa_url="http://127.0.0.1:9", desk_api_token=TOKEN,
        advisors_file=advisors, allow_demo_accounts=False, session_hours=1,
    )
    async with TestClient(TestServer(create_app(core=core, sweep=False))) as client:
        yield client


def bearer(advisor: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if advisor:
        headers["X-Conseiller"] = advisor
    return headers


async def login(desk, identifiant="alice", password="secret-alice", address=None):
    headers = {"X-Real-IP": address} if address else {}
    return await desk.post(
        "/connexion", data={"identifiant": identifiant, "mot_de_passe": password},
        allow_redirects=False, headers=headers,
    )


def queued(core, conversation_id="conv-1"):
    handoff, _ = handoffs.create_handoff(
        core.db, conversation_id=conversation_id, motif="demande_directe", profil="agriculteur", context={},
        channel="socketio", transcript=[],
    )
    return handoff


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_nothing_is_served_without_a_session_or_the_token(desk, method, path):
    for headers in ({}, {"Authorization": "Bearer mauvais"}, {"Cookie": "desk_session=forge"}):
        response = await desk.request(method, path, headers=headers, allow_redirects=False)
        if method == "GET" and not path.startswith("/api/"):
            assert response.status == 303 and response.headers["Location"] == "/connexion"
        else:
            assert response.status == 401
            body = await response.json()
            assert body["error"] == "non_authentifie" and "Connectez-vous" in body["message"]


async def test_the_login_page_is_the_only_public_page(desk):
    response = await desk.get("/connexion")
    assert response.status == 200
    page = await response.text()
    assert "Identifiant" in page and "Mot de passe" in page and 'lang="fr"' in page
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_a_wrong_password_or_a_demo_account_outside_demo_mode_is_refused(desk):
    for identifiant, password in (("alice", "faux"), ("personne", "faux"), ("demo", "demo")):
        response = await login(desk, identifiant, password)
        assert response.status == 401
        assert "Identifiant ou mot de passe incorrect." in await response.text()
        assert "desk_session" not in response.cookies


async def test_repeated_failures_are_slowed_down(desk):
    for _ in range(5):
        await login(desk, "alice", "faux")
    response = await login(desk)  # even the right password waits now
    assert response.status == 429
    assert "Trop de tentatives" in await response.text()


async def test_parallel_guesses_are_counted_before_any_password_is_hashed(desk):
    responses = await asyncio.gather(*(login(desk, "alice", f"faux-{i}") for i in range(40)))
    statuses = [r.status for r in responses]
    assert statuses.count(401) <= 5 and statuses.count(429) >= 35


async def test_one_account_guessed_from_many_addresses_is_slowed_down_too(desk):
    for i in range(10):
        response = await login(desk, "alice", "faux", address=f"203.0.113.{i}")
        assert response.status == 401
    assert (await login(desk, "alice", "faux", address="203.0.113.99")).status == 429
    assert (await login(desk, "bruno", "secret-bruno", address="203.0.113.99")).status == 303


async def test_a_known_login_takes_as_long_to_refuse_as_an_unknown_one(desk):
    async def timed(identifiant: str, index: int) -> float:
        started = time.perf_counter()
        response = await login(desk, identifiant, "faux", address=f"198.51.100.{index}")
        assert response.status == 401
        return time.perf_counter() - started

    known, unknown = [], []
    for i in range(8):  # interleaved: both see the same load
        known.append(await timed("alice", i))
        unknown.append(await timed(f"personne-{i}", 100 + i))
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.8 < ratio < 1.25, ratio


async def test_logins_and_advisor_actions_go_to_the_audit_log(desk, core):
    await login(desk, "alice", "faux")
    await login(desk)
    handoff = queued(core)
    taken = await desk.post(f"/api/handoffs/{handoff.id}/take", json={})  # the session's advisor
    assert taken.status == 200
    entries = [(e.action, e.actor) for e in reversed(audit.recent(core.db))]
    assert entries == [("connexion_refusee", "alice"), ("connexion", "alice"), ("prise_en_charge", "alice")]


async def test_security_headers_are_on_errors_and_redirects_too(desk):
    for path in ("/", "/nimporte-quoi", "/api/handoffs/999"):
        response = await desk.get(path, headers=bearer() if path.startswith("/api") else {},
                                  allow_redirects=False)
        assert response.status in (303, 404)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


async def test_the_cookie_is_secure_behind_https_and_not_on_plain_loopback(desk):
    plain = await login(desk)
    assert not plain.cookies["desk_session"]["secure"]
    proxied = await desk.post(
        "/connexion", data={"identifiant": "bruno", "mot_de_passe": "secret-bruno"},
        headers={"X-Forwarded-Proto": "https"}, allow_redirects=False,
    )
    assert proxied.cookies["desk_session"]["secure"]


async def test_sending_the_same_message_twice_stores_it_once(desk, core):
    handoff = queued(core)
    await desk.post(f"/api/handoffs/{handoff.id}/take", headers=bearer("alice"))
    url = f"/api/handoffs/{handoff.id}/messages"
    body = {"text": "Je regarde votre dossier", "client_id": "9f0c3f2e-6b0e-4bb8"}
    first = await (await desk.post(url, json=body, headers=bearer("alice"))).json()
    again = await (await desk.post(url, json=body, headers=bearer("alice"))).json()
    assert again["message"]["id"] == first["message"]["id"]
    listing = await (await desk.get(url, headers=bearer())).json()
    assert [m["text"] for m in listing["messages"]] == ["Je regarde votre dossier"]
    bad = await desk.post(url, json={"text": "x", "client_id": "a b"}, headers=bearer("alice"))
    assert (await bad.json())["error"] == "cle_invalide"


async def test_a_logged_in_advisor_gets_the_page_and_the_api_until_logout(desk):
    response = await login(desk)
    assert response.status == 303 and response.headers["Location"] == "/"
    cookie = response.cookies["desk_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    page = await desk.get("/")
    assert page.status == 200 and "Console des conseillers" in await page.text()
    me = await (await desk.get("/api/moi")).json()
    assert (me["login"], me["name"]) == ("alice", "Alice")
    assert me["author_labels"]["utilisateur"] == "Utilisateur"
    assert (await desk.get("/static/desk.js")).status == 200
    refused = await desk.post("/api/handoffs/1/take", data="x", headers={"Content-Type": "text/plain"})
    assert refused.status == 415  # a cross-site form cannot act for the advisor
    await desk.post("/deconnexion", allow_redirects=False)
    assert (await desk.get("/api/moi")).status == 401


async def test_the_token_reads_and_acts_only_as_a_named_advisor(desk, core):
    handoff = queued(core)
    listing = await (await desk.get("/api/handoffs", headers=bearer())).json()
    assert [h["id"] for h in listing["handoffs"]] == [handoff.id]
    assert listing["handoffs"][0]["position"] == 1 and listing["queue"]["waiting"] == 1
    anonymous = await desk.post(f"/api/handoffs/{handoff.id}/take", headers=bearer())
    assert anonymous.status == 403 and (await anonymous.json())["error"] == "conseiller_requis"
    unknown = await desk.post(f"/api/handoffs/{handoff.id}/take", headers=bearer("mallory"))
    assert unknown.status == 403


async def test_two_advisors_cannot_take_the_same_conversation(desk, core):
    handoff = queued(core)
    first = await desk.post(f"/api/handoffs/{handoff.id}/take", headers=bearer("alice"))
    assert first.status == 200
    body = await first.json()
    assert body["handoff"]["advisor"] == {"login": "alice", "name": "Alice"}
    assert body["notified"] is False  # Rasa is not running in this test
    second = await desk.post(f"/api/handoffs/{handoff.id}/take", headers=bearer("bruno"))
    assert second.status == 409
    assert (await second.json())["message"] == "Cette conversation a déjà été prise en charge par Alice."
    intruder = await desk.post(
        f"/api/handoffs/{handoff.id}/messages", json={"text": "bonjour"}, headers=bearer("bruno")
    )
    assert intruder.status == 403


async def test_advisor_messages_are_checked_and_stored(desk, core):
    handoff = queued(core)
    await desk.post(f"/api/handoffs/{handoff.id}/take", headers=bearer("alice"))
    url = f"/api/handoffs/{handoff.id}/messages"
    for body, status, code in (
        ({"text": "  "}, 400, "message_vide"),
        ({"text": "x" * 2001}, 400, "message_trop_long"),
        ({"texte": "bonjour"}, 400, "message_vide"),
        (["bonjour"], 400, "json_invalide"),
    ):
        response = await desk.post(url, json=body, headers=bearer("alice"))
        assert (response.status, (await response.json())["error"]) == (status, code)
    sent = await desk.post(url, json={"text": "<b>Bonjour</b>, je regarde."}, headers=bearer("alice"))
    assert sent.status == 201
    messages = await (await desk.get(f"{url}?after=0", headers=bearer())).json()
    assert [m["text"] for m in messages["messages"]] == ["<b>Bonjour</b>, je regarde."]
    closed = await desk.post(f"/api/handoffs/{handoff.id}/close", headers=bearer("alice"))
    assert (await closed.json())["handoff"]["status"] == "cloturee"
    late = await desk.post(url, json={"text": "encore là ?"}, headers=bearer("alice"))
    assert late.status == 409


async def test_a_missing_handoff_is_a_clear_404(desk):
    response = await desk.get("/api/handoffs/999", headers=bearer())
    assert response.status == 404
    assert (await response.json())["message"] == "Cette conversation n'existe pas."


async def test_solicitations_are_read_back_as_json_and_text(desk, core):
    values = {"categorie_libelle": "Facturation", "sous_categorie_libelle": "Facture rejetée",
              "destination_libelle": "Support", "description": "Facture rejetée sans motif"}
    reference = repository.save_draft(
        core.db, values, status=DraftStatus.READY, conversation_id="conv-1", year=2026
    )
    assert reference == "SOL-2026-000001"
    as_json = await desk.get(f"/api/sollicitations/{reference.lower()}", headers=bearer())
    assert (await as_json.json())["description"] == "Facture rejetée sans motif"
    as_text = await desk.get(f"/api/sollicitations/{reference}.txt", headers=bearer())
    assert as_text.content_type == "text/plain"
    text = await as_text.text()
    assert "Facture rejetée sans motif" in text and text.endswith("SOL-2026-000001")
    for missing in ("SOL-2026-000002", "SOL-2026-000002.txt", "..%2F..%2Fetc", "a b"):
        response = await desk.get(f"/api/sollicitations/{missing}", headers=bearer())
        assert response.status == 404
        assert (await response.json())["message"] == "Aucune sollicitation ne porte cette référence."


async def test_pages_are_told_when_a_handoff_changes(desk, core):
    async with desk.get("/api/evenements", headers=bearer()) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert (await stream.content.readline()).startswith(b"retry:")
        await stream.content.readline()
        handoff = queued(core)
        taken = await desk.post(f"/api/handoffs/{handoff.id}/take", headers=bearer("alice"))
        assert taken.status == 200
        line = await asyncio.wait_for(stream.content.readline(), 5)
        assert json.loads(line.removeprefix(b"data: ")) == {"kind": "handoff", "handoff_id": handoff.id}


async def test_the_token_erases_a_conversation_and_an_advisor_session_cannot(desk, core, caplog):
    handoff = queued(core, "conv-a-effacer")
    handoffs.add_user_message(core.db, handoff.id, "Je suis Jeanne Durand, 06 12 34 56 78")
    repository.save_draft(core.db, {"nom": "Jeanne Durand"}, status=DraftStatus.DRAFT,
                          conversation_id="conv-a-effacer", year=2026)
    queued(core, "autre-conv")

    await login(desk)
    refused = await desk.delete("/api/conversations/conv-a-effacer")
    assert refused.status == 403 and (await refused.json())["error"] == "jeton_requis"
    await desk.post("/deconnexion", allow_redirects=False)

    caplog.set_level("INFO", logger="desk.api")
    response = await desk.delete("/api/conversations/conv-a-effacer", headers=bearer())
    assert response.status == 200
    assert await response.json() == {
        "conversation_id": "conv-a-effacer",
        "removed": {"events": 0, "handoffs": 1, "handoff_messages": 1, "ready_drafts": 0,
                    "unfinished_drafts": 1, "votes": 0},
        "total": 3,
    }
    assert handoffs.list_handoffs(core.db, handoffs.OPEN_STATUSES, conversation_id="conv-a-effacer") == []
    assert len(handoffs.list_handoffs(core.db, handoffs.OPEN_STATUSES)) == 1  # the other one stays
    logged = caplog.text
    assert "conv-a-effacer erased through the API (token): 3 rows deleted" in logged
    assert "Jeanne" not in logged
    again = await (await desk.delete("/api/conversations/conv-a-effacer", headers=bearer())).json()
    assert again["total"] == 0


async def test_erasing_without_a_tracker_database_deletes_nothing(desk, core):
    queued(core, "conv-1")
    core.tracker = None
    response = await desk.delete("/api/conversations/conv-1", headers=bearer())
    assert response.status == 503 and (await response.json())["error"] == "effacement_impossible"
    assert len(handoffs.list_handoffs(core.db, handoffs.OPEN_STATUSES)) == 1


def test_the_openapi_document_lists_every_api_route_and_nothing_else(core):
    from assistance.settings import PROJECT_ROOT

    app = create_app(core=core, sweep=False)
    served = {r.canonical for r in app.router.resources() if r.canonical.startswith("/api/")}
    documented = set(yaml.safe_load((PROJECT_ROOT / "desk" / "openapi.yaml").read_text())["paths"])
    assert served == documented
