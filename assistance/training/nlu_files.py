"""The trainers' YAML files, read and written the way trainers keep them.

Training examples live in data/nlu/<topic>.yml under `- intent: …` with a literal `examples: |`
block; FAQ answers sit beside them under `responses:`; held-out examples live in tests/nlu/*.yml,
never used for training. Every write goes through ruamel.yaml's round-trip mode with the files'
own layout (two-space mappings, dashes at the parent's column, long lines unfolded), so a file
read and written back is byte for byte the same, comments included: a write changes only the
lines it means to (tests/unit/test_nlu_files.py checks it on the real files).

A sentence is written at most once in the training data, and never when it is in a held-out set
(it would leak into the evaluation); the reverse holds for the held-out set.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from assistance.training.errors import TrainingError
from assistance.training.text import normalise, personal_data

HELD_OUT_FILE = "test_nlu.yml"  # the held-out set trainers grow (test_nlu_blind.yml stays blind)
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_write_lock = threading.Lock()


@dataclass(frozen=True)
class Example:
    text: str
    intent: str  # full intent: faq/creer_compte, hors_perimetre…
    file: Path


@dataclass(frozen=True)
class Written:
    """What a write did: `written` False when the sentence was already there."""

    file: Path
    intent: str
    text: str
    written: bool


@dataclass(frozen=True)
class Variation:
    """One variation of a response: its place in the list, its conditions and its text."""

    response: str  # utter_faq/creer_compte
    index: int
    conditions: list[dict[str, Any]]
    text: str
    file: Path


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long example or answer
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def load(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def dumps(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _save(path: Path, data: Any) -> None:
    """Write atomically: a reader (Rasa, another trainer) never sees half a file."""
    text = dumps(data)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def example_lines(block: str) -> list[str]:
    """The sentences of an `examples: |` block, entity annotations read as plain text."""
    found = []
    for line in str(block or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            found.append(_ANNOTATION.sub(r"\1", line[2:].strip()))
    return found


def clean_sentence(text: str) -> str:
    """The sentence as it will be written: one line, single spaces; TrainingError if it
    cannot be an example (empty, with Rasa's entity markup « [..](..) », or with personal data:
    the trainer rewrites it without)."""
    sentence = " ".join(str(text or "").split())
    if not sentence or _ANNOTATION.search(sentence) or len(sentence) > 500:
        raise TrainingError("texte_invalide")
    found = personal_data(sentence)
    if found:
        raise TrainingError("donnees_personnelles", found=", ".join(found))
    return sentence


def _intent_entries(data: Any) -> Iterator[CommentedMap]:
    for entry in (data or {}).get("nlu") or []:
        if isinstance(entry, dict) and "intent" in entry:
            yield entry


class TrainingFiles:
    """The NLU files of one Rasa project (data/nlu/ and tests/nlu/ under `project`)."""

    def __init__(self, project: Path) -> None:
        self.project = Path(project)
        self.nlu_dir = self.project / "data" / "nlu"
        self.held_out_dir = self.project / "tests" / "nlu"

    # Reading ------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Does this installation have the trainers' files? (Without them: export only.)"""
        return self.nlu_dir.is_dir() and any(self.nlu_dir.glob("*.yml"))

    def training_paths(self) -> list[Path]:
        return sorted(self.nlu_dir.glob("*.yml")) if self.nlu_dir.is_dir() else []

    def held_out_paths(self) -> list[Path]:
        return sorted(self.held_out_dir.glob("*.yml")) if self.held_out_dir.is_dir() else []

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.project))
        except ValueError:
            return str(path)

    @staticmethod
    def examples_in(paths: list[Path]) -> list[Example]:
        found = []
        for path in paths:
            for entry in _intent_entries(load(path)):
                for text in example_lines(entry.get("examples")):
                    found.append(Example(text, str(entry["intent"]), path))
        return found

    def training_examples(self) -> list[Example]:
        return self.examples_in(self.training_paths())

    def held_out_examples(self) -> list[Example]:
        return self.examples_in(self.held_out_paths())

    def intents(self) -> list[dict[str, Any]]:
        """Every intent with examples: its file, how many examples, one of them (for the menu)."""
        found: dict[str, dict[str, Any]] = {}
        for example in self.training_examples():
            entry = found.setdefault(example.intent, {
                "intent": example.intent, "file": self.relative(example.file), "examples": 0,
                "sample": example.text,
            })
            entry["examples"] += 1
        return sorted(found.values(), key=lambda e: (not e["intent"].startswith("faq/"), e["intent"]))

    def locate(self, intent: str) -> Path | None:
        """The training file that declares `intent`."""
        for path in self.training_paths():
            if any(str(e["intent"]) == intent for e in _intent_entries(load(path))):
                return path
        return None

    # Writing examples ---------------------------------------------------------------------

    def add_training_example(self, intent: str, text: str) -> Written:
        """Append `text` under `intent` in the file that declares it.

        Refused (TrainingError) when the sentence is in a held-out set, or already in the
        training data under another intent; not written twice under the same one.
        """
        return self._add(intent, text, held_out=False)

    def add_held_out_example(self, intent: str, text: str, file_name: str = HELD_OUT_FILE) -> Written:
        """Append `text` under `intent` in the held-out set (the entry is created if needed);
        the mirror of `add_training_example`."""
        return self._add(intent, text, held_out=True, file_name=file_name)

    def _add(self, intent: str, text: str, *, held_out: bool, file_name: str = HELD_OUT_FILE) -> Written:
        sentence = clean_sentence(text)
        key = normalise(sentence)
        with _write_lock:
            if not self.available:
                raise TrainingError("donnees_absentes")
            declared = self.locate(intent)
            if declared is None:
                raise TrainingError("intention_inconnue", intent=intent)
            training, tests = self.training_examples(), self.held_out_examples()
            other, same = (training, tests) if held_out else (tests, training)
            for example in other:
                if normalise(example.text) == key:
                    code = "phrase_d_entrainement" if held_out else "phrase_du_jeu_de_test"
                    raise TrainingError(code, file=self.relative(example.file), intent=example.intent)
            for example in same:
                if normalise(example.text) == key:
                    if example.intent != intent:
                        raise TrainingError(
                            "autre_intention", file=self.relative(example.file), intent=example.intent
                        )
                    return Written(example.file, intent, example.text, written=False)
            path = self.held_out_dir / file_name if held_out else declared
            self._append(path, intent, sentence, create=held_out)
            return Written(path, intent, sentence, written=True)

    @staticmethod
    def _append(path: Path, intent: str, sentence: str, *, create: bool) -> None:
        data = load(path)
        entry = next((e for e in _intent_entries(data) if str(e["intent"]) == intent), None)
        if entry is None:
            if not create:
                raise TrainingError("intention_inconnue", intent=intent)
            entry = CommentedMap([("intent", intent), ("examples", LiteralScalarString(""))])
            nlu = data.get("nlu")
            if nlu is None:
                nlu = data["nlu"] = CommentedSeq()
            nlu.append(entry)
        block = str(entry.get("examples") or "")
        if block and not block.endswith("\n"):
            block += "\n"
        entry["examples"] = LiteralScalarString(f"{block}- {sentence}\n")
        _save(path, data)

    # Responses ----------------------------------------------------------------------------

    def _response_files(self) -> Iterator[tuple[Path, Any]]:
        for path in self.training_paths():
            data = load(path)
            if isinstance(data, dict) and isinstance(data.get("responses"), dict):
                yield path, data

    def variations(self, response: str) -> list[Variation]:
        """The variations of `response` (e.g. utter_faq/creer_compte) written in data/nlu/."""
        for path, data in self._response_files():
            if response in data["responses"]:
                return [
                    Variation(
                        response, index, [dict(c) for c in variation.get("condition") or []],
                        str(variation.get("text") or ""), path,
                    )
                    for index, variation in enumerate(data["responses"][response] or [])
                ]
        return []

    def set_response_text(self, response: str, index: int, text: str, expected: str | None) -> Variation:
        """Replace the text of one variation; `expected` is the text the trainer started from
        (TrainingError('reponse_modifiee') if someone changed it meanwhile)."""
        new_text = "\n".join(line.rstrip() for line in str(text or "").replace("\r\n", "\n").split("\n"))
        new_text = new_text.strip("\n")
        if not new_text.strip():
            raise TrainingError("texte_invalide")
        with _write_lock:
            for path, data in self._response_files():
                variations = data["responses"].get(response)
                if variations is None:
                    continue
                if not 0 <= index < len(variations):
                    raise TrainingError("reponse_introuvable", response=response)
                variation = variations[index]
                if expected is not None and str(variation.get("text") or "") != expected:
                    raise TrainingError("reponse_modifiee", response=response)
                variation["text"] = LiteralScalarString(new_text) if "\n" in new_text else new_text
                _save(path, data)
                return Variation(
                    response, index, [dict(c) for c in variation.get("condition") or []], new_text, path
                )
        raise TrainingError("reponse_introuvable", response=response)


def nlu_yaml(examples: dict[str, list[str]], comment: str | None = None) -> str:
    """A Rasa NLU training file (version 3.1) with these examples by intent."""
    data = CommentedMap([("version", DoubleQuotedScalarString("3.1"))])
    if comment:
        data.yaml_set_start_comment(comment)
    nlu = CommentedSeq()
    for intent, sentences in examples.items():
        block = "".join(f"- {s}\n" for s in sentences)
        nlu.append(CommentedMap([("intent", intent), ("examples", LiteralScalarString(block))]))
    data["nlu"] = nlu
    return dumps(data)
