"""French typography of what the assistant says, applied once, when a response is generated.

Trainers write plain spaces in the YAML (« Vous êtes connecté : … »); at output time the space
before a double punctuation mark and the spaces inside French quotation marks become no-break
spaces, so that a chat bubble never starts a line with « : » or « ? » or leaves « alone at the
end of one. The response generator (nlg/faq_votes.py) applies it to the chosen variation just
before filling its placeholders: our text is typeset, what the user typed is shown as typed.

Convention: U+00A0 NO-BREAK SPACE everywhere (before « : ; ? ! », after « and before »). The narrow
no-break space U+202F that the Imprimerie nationale prefers before « ; ? ! » is missing from some
fonts of the browsers and e-mail clients our messages reach, where it shows as a box; one character
everywhere is also easier to test and to normalise (tests/stack.py `texts()` turns both into plain
spaces).

Rules, outside URLs and {placeholders}, which are never touched:
- the horizontal spaces before « : ; ? ! » become one no-break space; a missing space is added when
  the mark follows a letter, a digit or a closing mark and ends a word (it is followed by a space or
  ends the text) — so « 8:30 », « https:// », « ?id=… » or « :) » stay as they are;
- the spaces after « and before » become one no-break space, added when missing.
Applying the function twice changes nothing more.
"""

from __future__ import annotations

import re
from typing import Any

NBSP = "\u00a0"
_SPACES = "[ \t\u00a0\u202f]"  # horizontal spaces, including the no-break ones: never a newline
# Left as they are: URLs, and placeholders Rasa could not fill.
_PROTECTED = re.compile(r"https?://[^\s«»]+|www\.[^\s«»]+|{[^\n{}]*}")
_HOLE = "\ue000"  # stands for a protected piece while the rest is typeset: not a space, not a word
_SPACE_BEFORE_MARK = re.compile(rf"(?<=\S){_SPACES}+(?=[;:!?])")
_MISSING_BEFORE_MARK = re.compile(r"(?<=[\w»)\]\ue000])([;:!?])(?=\s|$)")
_AFTER_OPENING = re.compile(rf"«{_SPACES}*(?=\S)")
_BEFORE_CLOSING = re.compile(rf"(?<=\S){_SPACES}*»")


def _typeset_plain(text: str) -> str:
    text = _SPACE_BEFORE_MARK.sub(NBSP, text)
    text = _MISSING_BEFORE_MARK.sub(NBSP + r"\1", text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    return _BEFORE_CLOSING.sub(NBSP + "»", text)


def french_typography(text: str) -> str:
    """`text` with no-break spaces where French typography wants them (see the module doc)."""
    if not text or _HOLE in text:  # the hole marker cannot be told apart: leave such a text alone
        return text
    protected = iter(_PROTECTED.findall(text))
    typeset = _typeset_plain(_PROTECTED.sub(_HOLE, text))
    return re.sub(_HOLE, lambda _: next(protected), typeset)


def typeset_response(response: dict[str, Any]) -> dict[str, Any]:
    """A generated response with its text, its button titles and its custom `data.text`
    (the advisor notices) typeset; payloads and everything else are kept as they are."""
    if isinstance(response.get("text"), str):
        response["text"] = french_typography(response["text"])
    for button in response.get("buttons") or []:
        if isinstance(button, dict) and isinstance(button.get("title"), str):
            button["title"] = french_typography(button["title"])
    data = (response.get("custom") or {}).get("data") if isinstance(response.get("custom"), dict) else None
    if isinstance(data, dict) and isinstance(data.get("text"), str):
        data["text"] = french_typography(data["text"])
    return response
