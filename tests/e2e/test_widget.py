"""A visitor of the portal uses the chat window in a real browser (Debian's Chromium)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import ANSWER_TIMEOUT_MS, STORAGE_KEY, Chat

DEPOT_GENERIQUE = "Déposer une facture sur Chorus Pro est gratuit"
# A long answer comes in several messages (one per paragraph); the votes are on the last one.
DEPOT_FIN = "Elle ne part qu'après"
MOT_DE_PASSE_FIN = "Le support vous proposera une solution"
DEPOT_STRUCTURE_PUBLIQUE = "Ce sont vos fournisseurs qui déposent leurs factures"
HOSTILE = "<img src=x onerror=alert(1)>"


def test_question_answer_thumbs_down_then_escalation_offer(chat: Chat):
    chat.open()
    answer = chat.ask("comment déposer une facture", DEPOT_FIN)
    first_part = chat.bot_messages.filter(has_text=DEPOT_GENERIQUE).last
    expect(first_part).to_be_visible()
    expect(first_part.locator(".claudia-vote")).to_have_count(0)
    up, down = chat.thumbs_up(answer), chat.thumbs_down(answer)
    expect(up).to_be_enabled()
    expect(down).to_be_enabled()

    down.click()

    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_be_disabled()
    expect(down).to_be_disabled()
    offer = chat.bot_messages.filter(has=chat.page.get_by_role("button", name="Oui, parler à un conseiller"))
    expect(offer).to_contain_text("conseiller", timeout=ANSWER_TIMEOUT_MS)
    for title in ("Oui, parler à un conseiller", "Écrire au support", "Non merci"):
        expect(offer.get_by_role("button", name=title)).to_be_enabled()
    assert "/vote_negatif" in chat.user_texts_in_tracker()

    # Quick replies work, and only once.
    offer.get_by_role("button", name="Non merci").click()
    expect(chat.user_messages.last.locator(".claudia-texte")).to_have_text("Non merci")
    expect(chat.bot_messages.last).to_contain_text("continuons ensemble", timeout=ANSWER_TIMEOUT_MS)
    expect(offer.get_by_role("button", name="Oui, parler à un conseiller")).to_be_disabled()


def test_hostile_message_shows_as_text_and_runs_nothing(chat: Chat):
    chat.open()
    chat.field.fill(HOSTILE)
    chat.field.press("Enter")

    expect(chat.user_messages.last.locator(".claudia-texte")).to_have_text(HOSTILE)
    expect(chat.bot_messages.nth(1)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)  # greeting, then the answer
    chat.page.wait_for_timeout(1000)  # an onerror handler would have fired by now
    assert chat.window.locator("img").count() == 0
    assert chat.dialogs == []
    assert HOSTILE in chat.user_texts_in_tracker()  # kept exactly as typed


def test_switching_profile_starts_a_new_conversation_with_the_profiles_answer(chat: Chat):
    chat.open()
    chat.ask("comment déposer une facture", DEPOT_GENERIQUE)
    first_conversation = chat.session_id()
    assert chat.slots()["profil"] == "fournisseur"

    chat.choose_profile("Structure publique")

    expect(chat.user_messages).to_have_count(0)
    expect(chat.bot_messages.first).to_contain_text("Claud.IA", timeout=ANSWER_TIMEOUT_MS)
    answer = chat.ask("comment déposer une facture", DEPOT_STRUCTURE_PUBLIQUE)
    expect(answer).not_to_contain_text(DEPOT_GENERIQUE)
    assert chat.session_id() != first_conversation
    assert chat.slots()["profil"] == "structure_publique"


def test_logging_in_gives_the_logged_in_answer_and_prefills_identity(chat: Chat):
    chat.open()
    chat.ask("comment créer un compte", "L'inscription sur Chorus Pro est gratuite")
    assert chat.slots()["connecte"] is False
    assert chat.slots()["identifiant"] is None

    chat.set_logged_in(True)

    chat.ask("comment créer un compte", "Vous êtes actuellement connecté")
    slots = chat.slots()
    assert slots["connecte"] is True
    assert slots["profil"] == "fournisseur"
    assert slots["identifiant"] == "jean.martin@exemple-sarl.fr"
    assert slots["structure"] == "Exemple SARL"
    assert slots["siret"] == "12345678200101"
    assert "Chrome" in slots["navigateur"]


def test_reloading_the_page_keeps_the_conversation(chat: Chat):
    chat.open()
    answer = chat.ask("comment déposer une facture", DEPOT_FIN)
    chat.thumbs_up(answer).click()
    expect(chat.bot_messages.last).to_contain_text("Merci pour votre retour", timeout=ANSWER_TIMEOUT_MS)
    conversation = chat.session_id()
    shown = chat.log.inner_text()

    chat.page.reload()

    expect(chat.window).to_be_visible()  # it was open: it opens again
    assert chat.log.inner_text() == shown
    answer = chat.rateable_answers.last
    expect(chat.thumbs_up(answer)).to_have_attribute("aria-pressed", "true")
    expect(chat.thumbs_up(answer)).to_be_disabled()

    # The same conversation goes on after the reload.
    chat.ask("j'ai oublié mon mot de passe", "Mot de passe oublié")
    assert chat.session_id() == conversation
    said = chat.user_texts_in_tracker()
    assert "comment déposer une facture" in said
    assert "j'ai oublié mon mot de passe" in said


def test_only_the_last_answer_can_be_rated_and_only_once(chat: Chat):
    chat.open()
    first = chat.ask("comment déposer une facture", DEPOT_FIN)
    expect(chat.thumbs_up(first)).to_be_enabled()

    second = chat.ask("j'ai oublié mon mot de passe", MOT_DE_PASSE_FIN)

    expect(chat.thumbs_up(first)).to_be_disabled()
    expect(chat.thumbs_down(first)).to_be_disabled()
    chat.thumbs_up(second).click()
    expect(chat.bot_messages.last).to_contain_text("Merci pour votre retour", timeout=ANSWER_TIMEOUT_MS)
    expect(chat.thumbs_up(second)).to_be_disabled()
    expect(chat.thumbs_down(second)).to_be_disabled()
    expect(chat.thumbs_up(second)).to_have_attribute("aria-pressed", "true")
    assert chat.user_texts_in_tracker().count("/vote_positif") == 1


def test_keyboard_only_visitor_with_a_screen_reader(chat: Chat):
    keyboard = chat.page.keyboard
    chat.launcher.focus()
    keyboard.press("Enter")

    expect(chat.window).to_be_visible()
    expect(chat.field).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    expect(chat.log).to_have_attribute("aria-live", "polite")
    expect(chat.bot_messages.first).to_contain_text("Claud.IA", timeout=ANSWER_TIMEOUT_MS)

    keyboard.type("comment déposer une facture")
    keyboard.press("Enter")
    answer = chat.bot_messages.filter(has_text=DEPOT_FIN).last
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    keyboard.press("Shift+Tab")  # from the field back to the last answer's 👎
    expect(chat.thumbs_down(answer)).to_be_focused()
    keyboard.press("Enter")
    expect(chat.thumbs_down(answer)).to_have_attribute("aria-pressed", "true")
    expect(chat.field).to_be_focused()

    keyboard.press("Escape")
    expect(chat.window).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")


def test_the_next_visitor_of_a_shared_computer_does_not_get_the_conversation(chat: Chat, context):
    chat.open()
    chat.ask("comment déposer une facture", DEPOT_FIN)
    assert chat.page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") is None  # kept in the tab only

    chat.page.close()  # the visitor closes the tab; someone else opens the portal in the same browser
    visitor = Chat(context.new_page(), chat.stack, chat.url).visit()
    visitor.launcher.click()

    expect(visitor.bot_messages.first).to_contain_text("Claud.IA", timeout=ANSWER_TIMEOUT_MS)
    expect(visitor.user_messages).to_have_count(0)
    expect(visitor.log).not_to_contain_text("comment déposer une facture")
    assert visitor.page_errors == []


def test_a_conversation_left_in_local_storage_by_an_earlier_version_is_removed(chat: Chat):
    chat.page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [STORAGE_KEY, '{"sessionId": "ancienne", "elements": [], "outbox": []}'],
    )
    chat.page.reload()
    assert chat.page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") is None


def test_clearing_the_conversation_empties_the_window_and_starts_a_new_one(chat: Chat):
    chat.open()
    chat.ask("j'ai oublié mon mot de passe", MOT_DE_PASSE_FIN)
    first_conversation = chat.session_id()
    clear = chat.window.get_by_role("button", name="Effacer la conversation")
    expect(clear).to_be_visible()

    clear.click()

    expect(chat.user_messages).to_have_count(0)
    expect(chat.log).not_to_contain_text("mot de passe")
    expect(chat.bot_messages).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)  # a new greeting
    expect(chat.bot_messages.first).to_contain_text("Claud.IA")
    expect(chat.field).to_be_focused()
    chat.ask("comment déposer une facture", DEPOT_FIN)
    assert chat.session_id() != first_conversation
    assert chat.user_texts_in_tracker() == ["/saluer", "comment déposer une facture"]
    # After a reload, the new conversation is the one shown.
    chat.page.reload()
    expect(chat.log).not_to_contain_text("mot de passe")
    expect(chat.user_messages.last.locator(".claudia-texte")).to_have_text("comment déposer une facture")
