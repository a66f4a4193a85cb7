"""Browser tier: the real stack (action server + Rasa), the widget's demo page, and Debian's Chromium
driven by Playwright. `make test-e2e` builds the widget and installs Chromium first
(scripts/ensure_debian.sh chromium); Playwright's own browsers are never used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from tests.stack import BASE_ENV, DEMO_PASSWORD, ROOT, Stack, wait_for, workdir, write_advisors

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDGET_BUNDLE = ROOT / "widget" / "dist" / "claudia-widget.js"
STORAGE_KEY = "claudia.conversation"

# A Tuesday at 10:00 in Paris: the live chat is open, so 👎 leads to the advisor offer.
OPEN_TIME = "2026-12-01T10:00:00+01:00"

# TEST_PORT_BASE lets several test runs share a machine; the integration tier uses +5/+55/+1005/+1055.
_BASE = int(os.environ.get("TEST_PORT_BASE", "15000"))
RASA_PORT, ACTIONS_PORT, WIDGET_PORT, DESK_PORT = _BASE + 305, _BASE + 355, _BASE + 380, _BASE + 390
DESK_TOKEN = "e2e-desk-token"

ANSWER_TIMEOUT_MS = 60_000  # first answers load the NLU pipeline's lazy parts


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    running = Stack(
        name="e2e",
        workdir=workdir("e2e"),  # its logs, with the desk's and the demo page's, are scanned
        rasa_port=RASA_PORT,
        actions_port=ACTIONS_PORT,
        extra_env={"ASSISTANT_NOW": OPEN_TIME},
    ).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def widget_url(stack: Stack) -> Iterator[str]:
    """The demo page (widget/serve.py), talking to the test stack's Rasa server."""
    if not WIDGET_BUNDLE.is_file():
        pytest.fail(f"{WIDGET_BUNDLE} is missing: run `make widget` (or `make test-e2e`).")
    log = stack.workdir / "widget.log"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "widget" / "serve.py"), "--host", "127.0.0.1",
         "--port", str(WIDGET_PORT), "--rasa-url", stack.rasa_url],
        cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{WIDGET_PORT}/"
    try:
        wait_for(url, process, log, seconds=30)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class Desk:
    """The advisor desk's JSON API, as the desk page uses it (bearer token + acting advisor)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: dict | None = None, advisor: str | None = "demo") -> dict:
        headers = {"Authorization": f"Bearer {DESK_TOKEN}", "Content-Type": "application/json"}
        if advisor:
            headers["X-Conseiller"] = advisor
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def handoff_for(self, conversation_id: str) -> dict:
        handoffs = self.call("GET", "/api/handoffs")["handoffs"]
        found = [h for h in handoffs if h["conversation_id"] == conversation_id]
        assert found, f"no handoff for {conversation_id} in {handoffs}"
        return found[0]


@pytest.fixture(scope="session")
def desk(stack: Stack) -> Iterator[Desk]:
    """The advisor desk (python -m desk) on the test stack's database and Rasa server."""
    log = stack.workdir / "desk.log"
    advisors = write_advisors(stack.workdir / "advisors.yml", {"demo": ("Camille", DEMO_PASSWORD)},
                              demo=True)
    env = {
        **stack.env(), **BASE_ENV, "DESK_HOST": "127.0.0.1", "DESK_PORT": str(DESK_PORT),
        "RASA_URL": stack.rasa_url, "DESK_API_TOKEN": DESK_TOKEN, "DESK_DEMO": "true",
        "ADVISORS_FILE": str(advisors),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "desk"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{DESK_PORT}"
    try:
        wait_for(f"{url}/connexion", process, log, seconds=60)
        yield Desk(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_debian.sh chromium (or `make test-e2e`).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


class Chat:
    """What a visitor does with the demo page and the chat window, in their words."""

    def __init__(self, page: Page, stack: Stack, url: str) -> None:
        self.page = page
        self.stack = stack
        self.url = url
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    # --- Locators --------------------------------------------------------------------------
    @property
    def launcher(self) -> Locator:
        return self.page.get_by_role("button", name="Besoin d'aide ? Posez une question")

    @property
    def window(self) -> Locator:
        return self.page.get_by_role("dialog", name="Claud.IA")

    @property
    def subtitle(self) -> Locator:
        return self.window.locator(".claudia-sous-titre")

    @property
    def typing(self) -> Locator:
        return self.window.get_by_role("status").filter(has_text="Claud.IA écrit")

    @property
    def log(self) -> Locator:
        return self.window.get_by_role("log")

    @property
    def field(self) -> Locator:
        return self.window.get_by_label("Votre question")

    @property
    def bot_messages(self) -> Locator:
        return self.log.locator(".claudia-message--bot")

    @property
    def user_messages(self) -> Locator:
        return self.log.locator(".claudia-message--utilisateur")

    @property
    def rateable_answers(self) -> Locator:
        return self.log.locator(".claudia-message--bot:has(.claudia-vote)")

    def thumbs_up(self, answer: Locator) -> Locator:
        return answer.get_by_role("button", name="Oui, cette réponse m'a aidé")

    def thumbs_down(self, answer: Locator) -> Locator:
        return answer.get_by_role("button", name="Non, cette réponse ne m'a pas aidé")

    # --- Actions ---------------------------------------------------------------------------
    def visit(self) -> Chat:
        self.page.goto(self.url)
        return self

    def open(self) -> Chat:
        self.launcher.click()
        expect(self.window).to_be_visible()
        # The assistant greets every new conversation.
        expect(self.bot_messages.first).to_contain_text("Claud.IA", timeout=ANSWER_TIMEOUT_MS)
        return self

    def ask(self, question: str, expected: str) -> Locator:
        """Type a question, press Enter, and return the answer that contains `expected`."""
        before = self.bot_messages.count()
        self.field.fill(question)
        self.field.press("Enter")
        expect(self.user_messages.last.locator(".claudia-texte")).to_have_text(question)
        answer = self.bot_messages.filter(has_text=expected).last
        expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        assert self.bot_messages.count() > before
        return answer

    def choose_profile(self, label: str) -> None:
        self.page.get_by_role("radio", name=label).check()

    def set_logged_in(self, logged_in: bool) -> None:
        self.page.get_by_role("checkbox", name="Utilisateur connecté").set_checked(logged_in)

    # --- What ends up stored ---------------------------------------------------------------
    def session_id(self) -> str:
        session_id = self.page.evaluate(f"JSON.parse(sessionStorage.getItem('{STORAGE_KEY}')).sessionId")
        assert session_id, "the widget has no conversation id"
        return session_id

    def slots(self) -> dict:
        return self.stack.tracker(self.session_id())["slots"]

    def user_texts_in_tracker(self) -> list[str]:
        events = self.stack.tracker(self.session_id())["events"]
        return [e.get("text") for e in events if e["event"] == "user"]


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh visitor: empty storage, French browser."""
    ctx = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def chat(request, context: BrowserContext, stack: Stack, widget_url: str) -> Iterator[Chat]:
    visitor = Chat(context.new_page(), stack, widget_url).visit()
    yield visitor
    # E2E_SCREENSHOTS=<folder> keeps what the page looked like at the end of each test.
    if os.environ.get("E2E_SCREENSHOTS"):
        folder = Path(os.environ["E2E_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        visitor.page.screenshot(path=str(folder / f"{request.node.name}.png"))
    assert visitor.page_errors == [], f"JavaScript errors on the page: {visitor.page_errors}"
