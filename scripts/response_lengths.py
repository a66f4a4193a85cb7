#!/usr/bin/env python
"""How long the messages of the assistant are: the longest, the median, and how many are too long.

    .venv/bin/python scripts/response_lengths.py            summary
    .venv/bin/python scripts/response_lengths.py --top 10   and the ten longest messages

Every response (domain/*.yml and the `responses:` of data/nlu/*.yml) and every variation is read.
A response reaches the user as one message per paragraph: Rasa's channels split a text at blank
lines (and channels/resilient.py makes the REST channel do it for a text with buttons too).
Placeholders are filled with the plausible values of PLAUSIBLE. A paragraph that is only a
placeholder standing for a document the user copies (the draft, its summary, the transcript) is a
message of its own whose length is the user's, so it is not counted.

tests/data/test_responses.py uses the same reading to hold every message under MAX_MESSAGE.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MAX_MESSAGE = 450  # characters of one chat bubble

# Plausible values, on the long side, for every placeholder a response uses.
PLAUSIBLE = {
    "attente": "12",
    "categorie": "Traitement et paiement d'une facture",
    "delai": "15",
    "destination": "Service destinataire de la facture ou du dossier (service métier)",
    "limite": "5000",
    "longueur": "10000",
    "nom": "Marie-Christine",
    "position": "12",
    "reference": "SOL-2026-000123",
    "reouverture": "mardi 2 janvier à 8 h 30",
    "sollicitation_proposition": "jeanne.durand@menuiserie-durand.fr",
    "sous_categorie": "Facture rejetée, suspendue ou à recycler",
}
# Placeholders that stand for a document the user copies; they must fill a paragraph alone.
DOCUMENTS = {
    "texte": None,
    "sollicitation_resume": None,
    "sollicitation_proposition": "utter_ask_sollicitation_transcription",  # the transcript there
}
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


@dataclass(frozen=True)
class Variation:
    """One variation of a response, as written in the YAML."""

    name: str
    index: int
    source: str
    text: str  # `text`, or `custom.data.text` for the advisor notices
    buttons: tuple[str, ...]  # button titles
    condition: tuple[tuple[str, object], ...]

    @property
    def label(self) -> str:
        return f"{self.name}[{self.index}]"


def response_files() -> list[Path]:
    return [*sorted((ROOT / "domain").glob("*.yml")), *sorted((ROOT / "data" / "nlu").glob("*.yml"))]


def variations() -> Iterator[Variation]:
    for path in response_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, items in (data.get("responses") or {}).items():
            for index, item in enumerate(items):
                custom = ((item.get("custom") or {}).get("data") or {})
                yield Variation(
                    name=name,
                    index=index,
                    source=str(path.relative_to(ROOT)),
                    text=item.get("text") or custom.get("text") or "",
                    buttons=tuple(b["title"] for b in item.get("buttons") or []),
                    condition=tuple((c["name"], c["value"]) for c in item.get("condition") or []),
                )


def is_document(name: str, placeholder: str) -> bool:
    return placeholder in DOCUMENTS and DOCUMENTS[placeholder] in (None, name)


def paragraphs(text: str) -> list[str]:
    """The messages a text becomes, as Rasa's channels cut it."""
    return text.strip().split("\n\n")


def messages(variation: Variation) -> list[str]:
    """The messages of a variation, placeholders filled; document paragraphs left out."""
    result = []
    for part in paragraphs(variation.text):
        match = PLACEHOLDER.fullmatch(part.strip())
        if match and is_document(variation.name, match.group(1)):
            continue
        result.append(PLACEHOLDER.sub(lambda m: PLAUSIBLE[m.group(1)], part))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=0, help="also list the N longest messages")
    args = parser.parse_args(argv)

    all_variations = list(variations())
    whole = [(len(PLACEHOLDER.sub(lambda m: PLAUSIBLE.get(m.group(1), ""), v.text)), v.label)
             for v in all_variations]
    parts = [(len(m), v.label) for v in all_variations for m in messages(v)]
    names = {v.name for v in all_variations}
    print(f"{len(names)} responses, {len(all_variations)} variations, {len(parts)} messages")
    for title, lengths in (("whole responses", whole), ("messages (paragraphs)", parts)):
        longest = max(lengths)
        print(f"{title:>22}: longest {longest[0]} ({longest[1]}), "
              f"median {statistics.median(n for n, _ in lengths):g}, "
              f"over {MAX_MESSAGE}: {sum(n > MAX_MESSAGE for n, _ in lengths)}")
    faq = [n for n, label in parts if label.startswith("utter_faq/")]
    if faq:
        print(f"{'FAQ answer messages':>22}: longest {max(faq)}, median {statistics.median(faq):g}")
    for length, label in sorted(parts, reverse=True)[: args.top]:
        print(f"  {length:5d}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
