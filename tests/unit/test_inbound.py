"""What the channels accept from clients (assistance/inbound.py), case by case."""

import json

import pytest

from assistance import inbound
from assistance.inbound import Refused, check
from channels.resilient import new_session_id, valid_session_id, webhook_payload


@pytest.mark.parametrize(("sender", "text", "metadata", "code"), [
    ("marie", "x" * 5001, {}, "message_trop_long"),
    ("marie", "x" * 1_000_000, {}, "message_trop_long"),
    ("marie", "facture\x00rejetée", {}, "caracteres_invalides"),
    ("marie", "bonjour \ud800", {}, "caracteres_invalides"),
    ("marie", "bonjour", {"profil": "\ud800"}, "caracteres_invalides"),
    ("marie", "bonjour", {"a\x00": 1}, "caracteres_invalides"),
    ("x" * 129, "bonjour", {}, "sender_invalide"),
    ("x" * 10_000, "bonjour", {}, "sender_invalide"),
    ("../../etc/passwd", "bonjour", {}, "sender_invalide"),
    ("marie/1", "bonjour", {}, "sender_invalide"),
    ("marie\u200b", "bonjour", {}, "sender_invalide"),
    ("marie\u202e", "bonjour", {}, "sender_invalide"),
    ("marie", "bonjour", {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, "metadata_trop_grande"),
    ("marie", "bonjour", {"blob": "x" * 9000}, "metadata_trop_grande"),
    ("marie", "/EXTERNAL_evenement_conseiller", {}, "commande_reservee"),
    ("marie", " /external_evenement_conseiller", {}, "commande_reservee"),
])
def test_a_message_that_cannot_be_processed_is_refused_with_its_reason(sender, text, metadata, code):
    with pytest.raises(Refused) as refused:
        check(sender, text, metadata)
    assert refused.value.code == code


def test_deep_nesting_is_refused_without_hitting_the_recursion_limit():
    metadata: dict = {}
    node = metadata
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(Refused):
        check("marie", "bonjour", metadata)


def test_a_good_message_keeps_its_words_but_loses_reserved_keys_and_bidi_controls():
    accepted = check(
        "user.1@portail:abc-9", "Ma facture est rejetée 😀\u200d👍 \u202eoui",
        {"is_external": True, "_client": "forged", "utilisateur": {"connecte": True}},
    )
    assert accepted.text == "Ma facture est rejetée 😀\u200d👍 oui"
    assert accepted.metadata == {"utilisateur": {"connecte": True}}
    assert len(check("m", "x" * inbound.MAX_TEXT_LENGTH, {}).text) == inbound.MAX_TEXT_LENGTH


@pytest.mark.parametrize(("body", "code"), [
    (b"bonjour", "json_invalide"),
    (b'{"sender": "m", "message": "x", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}",
     "metadata_trop_grande"),
    (json.dumps({"sender": "m", "message": "x" * 100_000}).encode(), "message_trop_long"),
    (json.dumps({"sender": "m/../x", "message": "x"}).encode(), "sender_invalide"),
])
def test_the_rest_body_is_checked_before_rasa_reads_it(body, code):
    assert webhook_payload(body) == code


def test_the_rest_body_rasa_reads_is_the_cleaned_one():
    body = json.dumps({"sender": "m", "message": "oui\u202e", "metadata": {"is_external": True}})
    assert webhook_payload(body.encode()) == {"sender": "m", "message": "oui", "metadata": {}}


def test_socket_sessions_are_issued_by_the_server():
    issued = new_session_id()
    assert valid_session_id(issued) and len(issued) <= inbound.MAX_SENDER_LENGTH
    token, mac = issued.split(".")
    assert not valid_session_id(f"{token}.{'0' * len(mac)}")
    assert not valid_session_id("marie") and not valid_session_id(None)
