"""How two users' messages are recognised as the same question: normalised text, then similarity.

Normalising folds what users vary without meaning to: case, accents, punctuation and spacing
(« Comment créer un compte ? » and « comment creer un compte » are one message). Similar messages
(« comment créer mon compte ») are then grouped by rapidfuzz's token-sort ratio: an edit distance
on the sorted words, so that a short message is not swallowed by every longer one containing it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

import phonenumbers
from rapidfuzz import fuzz, process

T = TypeVar("T")
_NOT_WORD = re.compile(r"[^\w]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "’": "'"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
SCORER = fuzz.token_sort_ratio  # 0 to 100; word order aside
_LONG_NUMBER = re.compile(r"\d(?:[ .]?\d){8,}")  # a SIREN, a SIRET, an account number…


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare).replace("_", " ").split())


def personal_data(text: str) -> list[str]:
    """What in a user's message identifies someone: e-mail, telephone, long number (SIRET…).
    Such a sentence must not be copied into the training data as it is."""
    found = []
    if _EMAIL.search(text):
        found.append("e-mail")
    if any(True for _ in phonenumbers.PhoneNumberMatcher(text, "FR")):
        found.append("téléphone")
    if _LONG_NUMBER.search(text):
        found.append("numéro")
    return found


def group(items: Sequence[T], key: Callable[[T], str], threshold: float) -> list[list[T]]:
    """Items grouped by normalised `key`, then groups merged when their texts are at least
    `threshold` alike (100: only identical normalised texts). Largest groups first, each group
    in the order of `items`."""
    by_text: dict[str, list[T]] = {}
    for item in items:
        by_text.setdefault(normalise(key(item)), []).append(item)
    texts = sorted(by_text, key=lambda text: -len(by_text[text]))
    leaders: list[str] = []  # the most frequent text of each group stands for it
    members: dict[str, list[str]] = {}
    for text in texts:
        match = process.extractOne(text, leaders, scorer=SCORER, score_cutoff=threshold)
        leader = match[0] if match and threshold < 100 else None
        if leader is None:
            leaders.append(text)
            members[text] = [text]
        else:
            members[leader].append(text)
    order = {id(item): index for index, item in enumerate(items)}
    groups = [
        sorted((item for text in members[leader] for item in by_text[text]), key=lambda i: order[id(i)])
        for leader in leaders
    ]
    return sorted(groups, key=len, reverse=True)

