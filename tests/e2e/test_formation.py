"""A trainer in Chromium: finds a message the assistant misunderstood in a real conversation,
assigns its topic, retrains, reads the before/after, puts the model into service; the same
sentence then gets the right answer over REST. Advisors and trainers keep to their own pages.

One training only (a full `rasa train` of a copy of the trainers' files with one sentence more);
the teach → retrain → activate loop is printed, and measured in bench/workbench_loop.py. The
running model is restored at the end, for the other browser tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from desk.advisors import hash_password
from tests.e2e.conftest import _BASE, ANSWER_TIMEOUT_MS
from tests.stack import BASE_ENV, ROOT, Stack, texts, wait_for

DESK_PORT = _BASE + 395
TRAINER, ADVISOR, BOTH = ("fanny", "mdp-fanny"), ("alice", "mdp-alice"), ("paul", "mdp-paul")
# Misunderstood by the current model (nlu_fallback), plainly about following up a sollicitation.
SENTENCE = "aucun retour sur mon message envoyé au support"
MISUNDERSTOOD = ("pas bien compris", "je réponds aux questions sur Chorus Pro")
RETRAIN_TIMEOUT_MS = 10 * 60 * 1000  # validation + training + two evaluations, on 2 shared cores


def copy_project(target: Path) -> Path:
    """The trainers' files and what training needs, so the test never writes to the repository."""
    for name in ("config.yml",):
        shutil.copy2(ROOT / name, target / name)
    for name in ("domain", "data"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copytree(ROOT / "tests" / "nlu", target / "tests" / "nlu")
    return target


@pytest.fixture(scope="module")
def formation(stack: Stack, tmp_path_factory) -> Iterator[str]:
    """The desk with a trainer, an advisor and an account with both roles, on a project copy."""
    folder = tmp_path_factory.mktemp("formation")
    project = copy_project(folder)
    advisors = folder / "advisors.yml"
    advisors.write_text("conseillers:\n" + "".join(
        f"  - {{identifiant: {login}, prenom: {login.title()}, roles: {roles}, "
        f"mot_de_passe_bcrypt: '{hash_password(password, rounds=4)}'}}\n"
        for (login, password), roles in (
            (TRAINER, "[formateur]"), (ADVISOR, "[conseiller]"), (BOTH, "[conseiller, formateur]")
        )
    ), encoding="utf-8")
    log = folder / "desk.log"
    env = {
        **stack.env(), **BASE_ENV, "DESK_HOST": "127.0.0.1", "DESK_PORT": str(DESK_PORT),
        "RASA_URL": stack.rasa_url, "ADVISORS_FILE": str(advisors),
        "TRAINING_PROJECT": str(project), "TRAINING_WORKDIR": str(folder / "atelier"),
        "RASA_MODEL": str(ROOT / "models" / "claudia.tar.gz"), "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "desk"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{DESK_PORT}"
    try:
        wait_for(f"{url}/connexion", process, log, seconds=60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def page(request, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    if os.environ.get("E2E_SCREENSHOTS"):  # what the page looked like at the end of the test
        folder = Path(os.environ["E2E_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def log_in(page: Page, url: str, account: tuple[str, str]) -> None:
    page.goto(f"{url}/connexion")
    page.get_by_label("Identifiant").fill(account[0])
    page.get_by_label("Mot de passe").fill(account[1])
    page.get_by_role("button", name="Se connecter").click()


def test_advisors_and_trainers_keep_to_their_own_pages(page: Page, formation: str):
    log_in(page, formation, ADVISOR)
    expect(page.get_by_role("heading", name="Console des conseillers Chorus Pro")).to_be_visible()
    page.goto(f"{formation}/formation")
    expect(page.get_by_text("L'espace Formation est réservé aux formateurs.")).to_be_visible()
    refused = page.request.get(f"{formation}/api/formation/boite")
    assert refused.status == 403 and refused.json()["error"] == "formateur_requis"
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, formation, TRAINER)
    expect(page.get_by_role("heading", name="Formation de l'assistante Claud.IA")).to_be_visible()
    expect(page.get_by_role("link", name="Console du chat")).to_be_hidden()
    page.goto(formation + "/")  # a trainer's home is the Formation space
    expect(page).to_have_url(f"{formation}/formation")
    assert page.request.get(f"{formation}/api/handoffs").status == 403
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, formation, BOTH)
    expect(page.get_by_role("heading", name="Console des conseillers Chorus Pro")).to_be_visible()
    page.get_by_role("link", name="Formation").click()
    expect(page.get_by_role("heading", name="Formation de l'assistante Claud.IA")).to_be_visible()
    expect(page.get_by_role("link", name="Console du chat")).to_be_visible()


def test_a_trainer_teaches_retrains_and_activates(page: Page, formation: str, stack: Stack, sender: str):
    # A user's real conversation through the servers: the assistant does not understand.
    answer = texts(stack.say(sender, SENTENCE))
    assert any(words in answer for words in MISUNDERSTOOD), answer

    log_in(page, formation, TRAINER)
    page.get_by_label("Type").select_option("incompris")
    page.get_by_role("button", name="Filtrer").click()
    card = page.locator(".carte").filter(has_text=f"« {SENTENCE} »")
    expect(card).to_be_visible()
    card.get_by_text("Voir le contexte").click()
    expect(card.locator(".fil .assistant").first).to_contain_text("compris")
    started = time.monotonic()
    card.get_by_label(f"Bon sujet pour « {SENTENCE} »").select_option("faq/suivi_sollicitation")
    card.get_by_role("button", name="Enseigner ce sujet").click()
    expect(page.get_by_role("status")).to_contain_text("data/nlu/faq_support.yml")
    expect(card).to_be_hidden()

    page.get_by_role("tab", name="Réentraîner et comparer").click()
    expect(page.locator("#enseignees")).to_contain_text(SENTENCE)
    page.get_by_role("button", name="Valider, réentraîner et comparer").click()
    detail = page.locator("#suivi-detail")
    # The stage while it trains, not a silent wait.
    expect(detail).to_contain_text("Entraînement complet", timeout=RETRAIN_TIMEOUT_MS)
    expect(page.locator("#porte")).to_have_text(
        "Contrôle de qualité réussi : ce modèle peut être mis en service.", timeout=RETRAIN_TIMEOUT_MS
    )
    trained = time.monotonic()

    # Before and after, side by side.
    overall = page.locator("#table-globale")
    expect(overall).to_contain_text("test_nlu.yml")
    expect(overall).to_contain_text("Sujet de FAQ juste")
    probe = page.locator("#table-sondes tr").filter(has_text=SENTENCE)
    expect(probe).to_contain_text("✓ oui")
    for which in ("avant", "apres"):
        picture = page.locator(f"#matrice-{which}")
        expect(picture).to_be_visible()
        assert picture.evaluate("image => image.complete && image.naturalWidth > 100")
    expect(page.locator("#paires-apres tr").nth(1)).to_be_visible()
    expect(page.locator("#table-sujets")).to_contain_text("FAQ : suivi_sollicitation")

    page.get_by_role("button", name="Mettre ce modèle en service").click()
    expect(page.get_by_role("status")).to_contain_text("en service", timeout=ANSWER_TIMEOUT_MS * 5)
    activated = time.monotonic()
    print(f"\nteach → retrain → activate: {activated - started:.0f} s "
          f"(retrain and gate {trained - started:.0f} s, activation {activated - trained:.0f} s)")

    # The same sentence, in a new conversation, gets the answer about following a sollicitation.
    later = texts(stack.say(sender + "-apres", SENTENCE))
    assert not any(words in later for words in MISUNDERSTOOD), later
    understood = stack.tracker(sender + "-apres")["latest_message"]
    assert understood["intent"]["name"] == "faq"
    topic = understood["response_selector"]["faq"]["response"]["intent_response_key"]
    assert topic == "faq/suivi_sollicitation"

    # The previous model comes back, and with it the misunderstanding.
    page.get_by_role("button", name="Remettre le modèle précédent").click()
    expect(page.get_by_role("status")).to_contain_text("remis en service", timeout=ANSWER_TIMEOUT_MS * 5)
    again = texts(stack.say(sender + "-restaure", SENTENCE))
    assert any(words in again for words in MISUNDERSTOOD), again
