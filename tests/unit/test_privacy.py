"""Personal data never reaches a log (assistance/privacy.py): masking on realistic French text,
every log record of the process, and Rasa's structlog events as Rasa configures them."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import pytest

from assistance.privacy import HIDDEN, find, mask, mask_event_dict, mask_record, masked_message
from tests.stack import ROOT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon portable : 0612345678", "Mon portable : [phone]"),
        ("Rappelez-moi au +33 6 12 34 56 78 svp", "Rappelez-moi au [phone] svp"),
        ("Le standard : 01 23 45 67 89.", "Le standard : [phone]."),
        ("ou le 06.12.34.56.78", "ou le [phone]"),
        ("Notre SIRET est 732 829 320 00074", "Notre SIRET est [siret]"),
        ("SIRET:73282932000074 ", "SIRET:[siret] "),
        ("SIREN 732 829 320, merci", "SIREN [siren], merci"),
        ("écrivez à jeanne.durand@exemple.fr", "écrivez à [email]"),
        (
            "Bonjour, je suis Jeanne Durand (jeanne.durand@exemple.fr, 06 12 34 56 78), "
            "Menuiserie Durand, SIRET 732 829 320 00074 : ma facture est rejetée.",
            "Bonjour, je suis Jeanne Durand ([email], [phone]), Menuiserie Durand, SIRET [siret] : "
            "ma facture est rejetée.",
        ),
    ],
)
def test_personal_data_is_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ma facture FAC-2026-0042 du 01/12/2026 est rejetée",
        "Déposée le 3 octobre 2026, montant 1 250,00 € TTC (12 345,67 € HT)",
        "Votre brouillon SOL-2026-000123 est prêt ; SOL-2026-000124 aussi",
        "2026-12-01 10:00:00,123 INFO rasa.core.processor turn 42 in 0.123456 s",
        '{"timestamp": 1764633600.1234567, "id": 123456, "port": 15005}',
        "Le délai de paiement est de 30 jours, 50 jours pour les hôpitaux",
        "engagement juridique 1300012345, bon de commande 4500123456",
    ],
)
def test_ordinary_numbers_are_left_alone(text):
    assert find(text) == []
    assert mask(text) == text


def test_a_number_that_fails_the_siret_check_is_not_one_but_its_valid_siren_is_hidden():
    assert mask("SIRET 732 829 321 00074") == "SIRET 732 829 321 00074"
    assert mask("SIRET 732 829 320 00075") == "SIRET [siren] 00075"


def record(name: str, msg: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)


def test_a_record_is_masked_in_its_message_arguments_and_traceback():
    try:
        raise ValueError("adresse refusée : jeanne.durand@exemple.fr")
    except ValueError:
        made = record("actions.solicitation", "draft of %s not stored (%s)", "conv-1", "0612345678",
                      exc_info=sys.exc_info())
    logged = logging.Formatter().format(mask_record(made))
    assert "draft of conv-1 not stored ([phone])" in logged
    assert "adresse refusée : [email]" in logged
    assert "jeanne.durand" not in logged and "0612345678" not in logged


def test_rasa_log_sites_that_print_what_users_typed_are_cut():
    assert masked_message(
        "rasa.core.channels.rest",
        "An exception occured while handling user message 'Ma facture est rejetée, je suis furieuse'.",
    ) == f"An exception occured while handling user message {HIDDEN}"
    assert masked_message(
        "rasa_sdk.executor", "Contents of ignored event: '{\"event\": \"user\", \"text\": \"Jeanne\"}'"
    ) == f"Contents of ignored event: {HIDDEN}"


def test_the_tracker_the_action_server_echoes_when_an_action_fails_is_hidden():
    """rasa/utils/endpoints.py raises ClientResponseError with the action server's answer, which
    carries the whole tracker; Rasa logs it with the traceback."""
    body = ('{"error":"Can\'t locate revision","request_body":{"next_action":"action_session_start",'
            '"tracker":{"slots":{"structure":"Menuiserie Durand","identifiant":"jdurand-chorus"}}}}')
    try:
        raise RuntimeError(f"500, Internal Server Error, body='b'{body}''")
    except RuntimeError:
        made = record("rasa.core.processor", "Encountered an exception while running action "
                      "'action_session_start'.", exc_info=sys.exc_info())
    logged = logging.Formatter().format(mask_record(made))
    assert 'body=\'b\'{"error":"Can\'t locate revision","request_body":[hidden]' in logged
    assert "Menuiserie" not in logged and "jdurand" not in logged


def test_structlog_events_hide_what_users_typed():
    event = {"event": "rest.message.received.failure", "text": "Je suis Jeanne Durand", "sender": "c-1"}
    assert mask_event_dict(None, "error", event) == {
        "event": "rest.message.received.failure", "text": HIDDEN, "sender": "c-1",
    }
    line = '{"text": "Je suis Jeanne", "event": "processor.message.parse", "note": "tel 0612345678"}'
    assert masked_message("rasa.core.processor", line) == (
        '{"text": "[hidden]", "event": "processor.message.parse", "note": "tel [phone]"}'
    )


SCRIPT = """
import logging
import structlog
from rasa.utils.log_utils import configure_structlog

configure_structlog(logging.DEBUG)  # what `rasa run` does first
from assistance.privacy import install_log_filter

install_log_filter()  # what servers/rasa_server.py does next

structlogger = structlog.get_logger()
try:
    raise RuntimeError("the action server is down")
except RuntimeError:
    # The REST channel's own call when handling a message fails (rasa/core/channels/rest.py);
    # the traceback's frame has the message in a local variable.
    text = "Je suis Jeanne Durand, furieuse"
    structlogger.exception("rest.message.received.failure", text=text)
structlogger.debug("processor.message.parse", parse_data_text="mon SIRET 73282932000074",
                   parse_data_intent={"name": "informer"})
logging.getLogger("rasa.core.processor").info("Received user message 'Jeanne Durand ici'")
logging.getLogger("desk.app").warning("login refused for %s", "jeanne.durand@exemple.fr")
"""


def test_every_record_of_the_rasa_server_is_masked_once_the_launcher_installs_the_filter():
    """Rasa's structlog configuration (JSON lines through `logging`), then our filter: in a
    process of its own, as servers/rasa_server.py starts the Rasa server."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT)], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "rest.message.received.failure" in output and "processor.message.parse" in output
    assert "RuntimeError" in output and "the action server is down" in output  # the traceback stays
    for secret in ("Jeanne", "furieuse", "73282932000074", "jeanne.durand@exemple.fr"):
        assert secret not in output, output
    assert "login refused for [email]" in output



def test_a_structlog_traceback_is_rendered_without_its_local_variables():
    def fails(text: str) -> None:
        raise RuntimeError(f"refused for {text[:0]}jeanne.durand@exemple.fr")

    message = "Je suis Jeanne Durand"
    try:
        fails(message)
    except RuntimeError:
        event = mask_event_dict(None, "exception", {"event": "x", "exc_info": True})
    assert "RuntimeError: refused for [email]" in event["exception"]
    assert "Je suis Jeanne" not in event["exception"] and "exc_info" not in event

