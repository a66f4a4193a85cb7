"""What a channel accepts from a client: one check for the REST webhook and socket.io.

A message is refused as a whole, with a reason code the channel turns into French (nothing of it
is stored), when its text is too long or holds characters no database can store (NUL, lone
surrogates), when its `sender` is too long or not a plain identifier, or when its metadata is too
big or too deep. Accepted metadata lose the keys only the servers may set (`is_external`, which
Rasa gives to intents triggered from outside, and every key starting with « _ »), and a typed
`/EXTERNAL_…` payload (an intent only servers trigger) is refused.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_TEXT_LENGTH = 5000  # characters
MAX_SENDER_LENGTH = 128
SENDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]*$")  # no « / », no « .. » path, no spaces
MAX_METADATA_BYTES = 8 * 1024  # the widget sends about 500 bytes
MAX_METADATA_DEPTH = 5
RESERVED_KEYS = {"is_external"}  # and every key starting with « _ »
# Intents only servers trigger (the desk, reminders: Rasa's trigger_intent), never typed.
_RESERVED_PAYLOAD = re.compile(r"^\s*/\s*EXTERNAL_", re.IGNORECASE)
# C0 controls but tab, line feed, carriage return; DEL; lone UTF-16 surrogates.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Bidirectional overrides and isolates: they make a text read differently on the advisor's screen.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

class Refused(ValueError):
    """Codes: sender_invalide, message_trop_long, caracteres_invalides, metadata_trop_grande,
    commande_reservee."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Inbound:
    sender: str
    text: str
    metadata: dict[str, Any]


def _too_deep(value: Any, limit: int) -> bool:
    """More than `limit` levels of objects and lists (iterative: no recursion limit to hit)."""
    pending = [(value, 1)]
    while pending:
        node, level = pending.pop()
        if isinstance(node, (dict, list)):
            if level > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, level + 1) for child in children)
    return False


def _storable(value: Any) -> bool:
    """No unstorable character anywhere in the strings (keys too) of a JSON value."""
    if isinstance(value, str):
        return not _UNSTORABLE.search(value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return True


def clean_text(text: str) -> str:
    """The text as stored: NFC, without bidirectional controls."""
    return _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text))


def check_sender(sender: str) -> str:
    if len(sender) > MAX_SENDER_LENGTH or not SENDER.match(sender) or ".." in sender:
        raise Refused("sender_invalide")
    return sender


def check_metadata(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The client's metadata, bounded and without the keys only servers may set."""
    metadata = metadata or {}
    if _too_deep(metadata, MAX_METADATA_DEPTH):
        raise Refused("metadata_trop_grande")
    if not _storable(metadata):
        raise Refused("caracteres_invalides")
    try:
        size = len(json.dumps(metadata, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        raise Refused("metadata_trop_grande") from None
    if size > MAX_METADATA_BYTES:
        raise Refused("metadata_trop_grande")
    return {k: v for k, v in metadata.items() if k not in RESERVED_KEYS and not str(k).startswith("_")}


def check(sender: str, text: str, metadata: dict[str, Any] | None) -> Inbound:
    """The message as the assistant may process it, or Refused(code)."""
    check_sender(sender)
    if _UNSTORABLE.search(text):
        raise Refused("caracteres_invalides")
    if len(text) > MAX_TEXT_LENGTH:
        raise Refused("message_trop_long")
    if _RESERVED_PAYLOAD.match(text):
        raise Refused("commande_reservee")
    return Inbound(sender=sender, text=clean_text(text), metadata=check_metadata(metadata))
