"""The vote action finds the answer it rates in the conversation."""

from rasa_sdk import Tracker

from actions.escalation import last_faq_answer


def tracker(*events: dict) -> Tracker:
    return Tracker("conv", {}, {}, list(events), False, None, {}, "action_listen")


def user(text: str, ts: float) -> dict:
    return {"event": "user", "text": text, "timestamp": ts}


def bot(action: str, ts: float) -> dict:
    return {"event": "bot", "text": "…", "timestamp": ts, "metadata": {"utter_action": action}}


def test_the_last_faq_answer_and_the_question_that_led_to_it():
    events = [
        user("comment créer un compte ?", 1.0), bot("utter_faq/creer_compte", 1.5),
        user("mot de passe oublié", 2.0), bot("utter_faq/mot_de_passe", 2.5),
        user("bonjour", 3.0), bot("utter_saluer", 3.5),
    ]
    assert last_faq_answer(tracker(*events)) == ("2.5", "mot_de_passe", "mot de passe oublié")


def test_no_answer_before_the_session_started():
    events = [
        user("comment créer un compte ?", 1.0), bot("utter_faq/creer_compte", 1.5),
        {"event": "session_started", "timestamp": 2.0}, user("/vote_negatif", 3.0),
    ]
    assert last_faq_answer(tracker(*events)) is None
