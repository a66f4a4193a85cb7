"""Personal data never reaches a log: e-mails, phone numbers, SIRET/SIREN and what users typed.

    mask(text)              the text with e-mails, phone numbers, SIRET and SIREN replaced
    find(text)              where they are: [(kind, start, end)] (scripts/scan_logs.py uses it)
    install_log_filter()    masks every log record of this process, from now on

Every process calls `install_log_filter()` once, as early as it can: the advisor desk
(desk/__main__.py), the command-line scripts (scripts/), the Rasa server (channels/__init__.py and
nlg/__init__.py, packages Rasa imports from credentials.yml and endpoints.yml before it handles
a message) and the action server (actions/__init__.py, imported when it registers the actions).
A launcher that starts Rasa itself calls it first; calling it again does nothing.

What it masks, in the message, the arguments and the traceback of every record:
- e-mail addresses → [email]; phone numbers that `phonenumbers` finds valid (region FR, so
  0612345678, +33 6 12 34 56 78, 01 23 45 67 89) → [phone]; 14-digit runs (grouped 3 3 3 5 or
  not) that python-stdnum accepts as a SIRET → [siret], 9-digit runs accepted as a SIREN →
  [siren] (so a SIRET mistyped in its last digits still hides its valid SIREN). Dates, amounts
  and references such as FAC-2026-0042 or SOL-2026-000123 stay.
- what users typed, which no pattern recognises: Rasa 3.6 logs it through structlog under keys
  such as `text`, `user_text`, `parse_data_text`, `slot_values` or `rasa_events` (e.g. the REST
  channel's "rest.message.received.failure" with the user's message); their values become
  [hidden], both as structlog processes the event and in the JSON line it hands to `logging`,
  and so do the local variables structlog adds to a traceback.
  The few plain-logging sites of Rasa and the action SDK that print a message, an event or slot
  values are cut after their fixed words (`SITES`), and the tracker the action server echoes
  when an action fails (`"request_body"`, in the traceback of Rasa's ClientResponseError) is
  hidden wherever it appears (`PAYLOADS`).

Why the record factory rather than a filter on a logger or handler: a logger's filter does not
see what its children propagate, and handlers are added later by Rasa, Sanic or a launcher; every
record is made by the factory, whoever logs it and wherever it goes. `PersonalDataFilter` is the
same masking as a `logging.Filter`, for a handler configured elsewhere.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

import phonenumbers
from stdnum.fr import siren, siret

HIDDEN = "[hidden]"
REPLACEMENTS = {"email": "[email]", "phone": "[phone]", "siret": "[siret]", "siren": "[siren]"}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A SIRET (14 digits) or a SIREN (9), written in one piece or in groups of 3 (and 5) separated
# by a space, a no-break space or a dot. Not after a digit, a comma or a dot (decimal places).
_SEP = r"[ \u00a0\u202f.]?"
SIRET_RUN = re.compile(rf"(?<![\d.,])(?:\d{{14}}|\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{5}})(?!\d)")
SIREN_RUN = re.compile(rf"(?<![\d.,])(?:\d{{9}}|\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{3}})(?!\d)")
# Phone numbers have at least 9 digits: texts with fewer skip phonenumbers' matcher.
_NINE_DIGITS = re.compile(r"(?:\d\D{0,3}){9}")

# structlog keys whose value is what a user typed or a conversation's state (Rasa 3.6's own list
# in rasa/utils/log_utils.py `_anonymizer`, plus the message metadata).
SENSITIVE_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states",
    "old_states", "successes", "current_entity", "next_entity", "states", "entity", "token_text",
    "user_message", "json_message", "metadata", "events", "slots",
    # structlog's dict tracebacks carry every frame's local variables: the message among them.
    "locals",
})

# Plain-logging sites (logger name, fixed beginning) that go on with a message, an event or slot
# values: what follows the fixed words is hidden.
SITES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.DOTALL))
    for name, pattern in (
        # Rasa < 3.6 (and forks) logged the REST user's message in plain text.
        ("rasa.core.channels.rest", r"(An exception occured while handling user message)\b.*"),
        ("rasa.core.channels", r"(Exception when trying to handle message)\b.*"),
        ("rasa.core.actions.action", r"(Validating extracted slots:).*"),
        ("rasa.core.processor", r"(Received user message)\b.*"),
        ("rasa.core.processor", r"(Current slot values:).*"),
        ("rasa_sdk.executor", r"(Contents of ignored event:).*"),
        ("rasa_sdk.forms", r"(Validating extracted slots:|Extracted slots:|Validated slots:).*"),
        ("rasa.core.policies", r"(Current tracker state:).*"),
    )
)

# Payloads echoed inside other messages, hidden wherever they appear (messages and tracebacks):
# the action server answers an action that failed with {"error": ..., "request_body": <the
# whole tracker>}, which Rasa puts in its ClientResponseError, logged with the traceback.
PAYLOADS = (re.compile(r'("request_body"\s*:\s*).*'),)


def hide_payloads(text: str) -> str:
    for pattern in PAYLOADS:
        text = pattern.sub(lambda match: f"{match[1]}{HIDDEN}", text)
    return text


def scrub(text: str) -> str:
    """`text` with its echoed payloads hidden and its personal data masked."""
    return mask(hide_payloads(text)) if text else text


def find(text: str) -> list[tuple[str, int, int]]:
    """The personal data in `text`: (kind, start, end) for e-mails, SIRET, SIREN and phone
    numbers, in the order of the text, none overlapping another."""
    found: list[tuple[str, int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for _, s, e in found)

    for match in EMAIL.finditer(text):
        found.append(("email", match.start(), match.end()))
    for kind, pattern, valid in (("siret", SIRET_RUN, siret.is_valid), ("siren", SIREN_RUN, siren.is_valid)):
        for match in pattern.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if valid(digits) and free(match.start(), match.end()):
                found.append((kind, match.start(), match.end()))
    if _NINE_DIGITS.search(text):
        for match in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID):
            start = match.start
            if match.raw_string.startswith("(") and ")" not in match.raw_string:
                start += 1  # "(0612345678" : the parenthesis is the sentence's
            if free(start, match.end):
                found.append(("phone", start, match.end))
    return sorted(found, key=lambda item: item[1])


def mask(text: str) -> str:
    """`text` with every e-mail, phone number, SIRET and SIREN replaced by [email], [phone],
    [siret], [siren]."""
    if not text:
        return text
    parts, last = [], 0
    for kind, start, end in find(text):
        parts += [text[last:start], REPLACEMENTS[kind]]
        last = end
    return "".join(parts) + text[last:] if parts else text


def _masked_value(key: str, value: Any) -> Any:
    if key in SENSITIVE_KEYS and value not in (None, "", [], {}):
        return HIDDEN
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _masked_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked_value("", v) for v in value]
    return value


def mask_event_dict(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor, just before the renderer: sensitive keys hidden, every other string
    masked, a traceback rendered here without its frames' local variables (structlog's console
    renderer would print them)."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info and "exception" not in event_dict:
        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        if isinstance(exc_info, tuple) and exc_info[0] is not None:
            event_dict["exception"] = "".join(traceback.format_exception(*exc_info))
    return {key: _masked_value(key, value) for key, value in event_dict.items()}


def _masked_structlog_line(message: str) -> str | None:
    """A JSON line rendered by structlog (Rasa's logs out of a terminal), masked; None if the
    message is not one."""
    if not (message.startswith("{") and '"event"' in message):
        return None
    try:
        data = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return json.dumps(mask_event_dict(None, "", data), ensure_ascii=False)


def masked_message(logger_name: str, message: str) -> str:
    """What a record of `logger_name` may say of `message`."""
    for name, pattern in SITES:
        if logger_name.startswith(name):
            message = pattern.sub(lambda match: f"{match[1]} {HIDDEN}", message)
    structured = _masked_structlog_line(message)
    return structured if structured is not None else scrub(message)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask a record in place: its message with its arguments, and its traceback."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 (arguments that do not fit the message: keep the template)
        message = str(record.msg)
    record.msg, record.args = masked_message(record.name, message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    return record


class PersonalDataFilter(logging.Filter):
    """The same masking as a filter, for a handler that needs it explicitly."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = threading.Lock()
_done = False


def install_log_filter() -> None:
    """Mask every log record made from now on in this process (idempotent)."""
    global _done
    with _installed:
        if _done:
            return
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return mask_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(masking_factory)
        _install_structlog_processor()
        _done = True


def _install_structlog_processor() -> None:
    """Put `mask_event_dict` just before the renderer in structlog's processors, in the list
    structlog's loggers already share (Rasa configures structlog before it imports our code). A
    configuration made later replaces the list: its JSON lines are still masked by
    `masked_message`, which hides the same keys."""
    try:
        import structlog
    except ImportError:
        return
    processors = structlog.get_config().get("processors")
    if isinstance(processors, list) and mask_event_dict not in processors:
        processors.insert(max(len(processors) - 1, 0), mask_event_dict)

