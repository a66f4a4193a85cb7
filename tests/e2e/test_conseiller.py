"""A visitor talks to a human advisor in the chat window; the advisor uses the desk's API."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.e2e.conftest import ANSWER_TIMEOUT_MS, Chat, Desk

ADVISOR_TEXT = "Bonjour, je regarde votre facture <b>tout de suite</b>."
USER_TEXT = "Ma facture est rejetée, pouvez-vous regarder ?"


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the desk never received the message"
        time.sleep(0.5)


def test_advisor_joins_talks_and_hands_back_to_the_assistant(chat: Chat, desk: Desk):
    chat.open()
    chat.ask("je veux parler à un conseiller", "conseiller")
    chat.log.get_by_role("button", name="Oui, parler à un conseiller").click()

    expect(chat.log.locator(".claudia-bandeau--attente")).to_contain_text(
        "Demande transmise à un conseiller", timeout=ANSWER_TIMEOUT_MS
    )
    expect(chat.subtitle).to_have_text("En attente d'un conseiller…")

    handoff = desk.handoff_for(chat.session_id())
    desk.call("POST", f"/api/handoffs/{handoff['id']}/take")

    expect(chat.log.locator(".claudia-bandeau--rejoint")).to_contain_text(
        "Camille, un conseiller, a rejoint la conversation", timeout=ANSWER_TIMEOUT_MS
    )
    expect(chat.subtitle).to_have_text("Vous échangez avec Camille, conseiller du support")

    chat.field.fill(USER_TEXT)
    chat.field.press("Enter")
    expect(chat.typing).to_be_hidden()  # a human is answering, not the assistant

    def received() -> bool:
        messages = desk.call("GET", f"/api/handoffs/{handoff['id']}/messages")["messages"]
        return any(m["text"] == USER_TEXT for m in messages)

    wait_until(received)

    desk.call("POST", f"/api/handoffs/{handoff['id']}/messages", {"text": ADVISOR_TEXT})

    advisor_message = chat.log.locator(".claudia-message--conseiller").last
    expect(advisor_message.locator(".claudia-texte")).to_have_text(ADVISOR_TEXT, timeout=ANSWER_TIMEOUT_MS)
    expect(advisor_message.locator(".claudia-auteur")).to_contain_text("Camille")
    assert chat.window.locator("b").count() == 0  # the advisor's markup is shown, never applied

    desk.call("POST", f"/api/handoffs/{handoff['id']}/close")

    expect(chat.log.locator(".claudia-bandeau--parti")).to_contain_text(
        "Vous êtes de retour avec l'assistante", timeout=ANSWER_TIMEOUT_MS
    )
    expect(chat.subtitle).to_have_text("L'assistante de Chorus Pro vous répond")

    # Back with the assistant: questions get answers again, and the banners survive a reload.
    chat.ask("comment déposer une facture", "Déposer une facture sur Chorus Pro est gratuit")
    chat.page.reload()
    expect(chat.log.locator(".claudia-bandeau--rejoint")).to_be_visible()
    expect(chat.log.locator(".claudia-bandeau--parti")).to_be_visible()


def test_an_advisor_message_written_while_the_connection_is_down_arrives_once(chat: Chat, desk: Desk):
    chat.open()
    chat.ask("je veux parler à un conseiller", "conseiller")
    chat.log.get_by_role("button", name="Oui, parler à un conseiller").click()
    expect(chat.log.locator(".claudia-bandeau--attente")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    handoff = desk.handoff_for(chat.session_id())
    desk.call("POST", f"/api/handoffs/{handoff['id']}/take")
    expect(chat.log.locator(".claudia-bandeau--rejoint")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

    chat.page.context.set_offline(True)  # the visitor's connection drops
    expect(chat.window.locator(".claudia-etat")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    desk.call("POST", f"/api/handoffs/{handoff['id']}/messages",
              {"text": "Êtes-vous toujours là ?", "client_id": "e2e-offline-0001"})
    chat.page.context.set_offline(False)  # back: the widget asks for what it missed

    advisor_messages = chat.log.locator(".claudia-message--conseiller")
    expect(advisor_messages).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(advisor_messages.locator(".claudia-texte")).to_have_text("Êtes-vous toujours là ?")

    def delivered() -> bool:
        detail = desk.call("GET", f"/api/handoffs/{handoff['id']}")
        return [m["delivered"] for m in detail["messages"] if m["author"] == "conseiller"] == [True]

    wait_until(delivered)  # the widget acknowledged it
    chat.page.reload()  # reconnecting again sends nothing twice
    chat.page.wait_for_timeout(2000)
    expect(advisor_messages).to_have_count(1)
