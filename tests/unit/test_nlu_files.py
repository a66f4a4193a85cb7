"""The YAML writer of the workbench on the real trainers' files: a round trip changes nothing, an
added example lands under its intent and nowhere else, and the held-out sets never leak."""

import difflib
import shutil
from pathlib import Path

import pytest
import yaml

from assistance.settings import PROJECT_ROOT
from assistance.training.errors import TrainingError
from assistance.training.nlu_files import TrainingFiles, dumps, load, nlu_yaml

REAL_FILES = sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")) + sorted(
    (PROJECT_ROOT / "tests" / "nlu").glob("*.yml")
)
NEW_SENTENCE = "j'attends toujours la réponse à ma demande envoyée au support"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the trainers' files: data/nlu/ and tests/nlu/."""
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", tmp_path / "data" / "nlu")
    shutil.copytree(PROJECT_ROOT / "tests" / "nlu", tmp_path / "tests" / "nlu")
    return tmp_path


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yml"))}


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """file → the lines added or removed (with their + or -)."""
    found = {}
    for name in sorted(set(before) | set(after)):
        diff = [
            line for line in difflib.unified_diff(
                before.get(name, "").splitlines(), after.get(name, "").splitlines(), lineterm="", n=0
            )
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        if diff:
            found[name] = diff
    return found


def block_of(path: Path, intent: str) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in data["nlu"] if e.get("intent") == intent)
    return [line[2:] for line in entry["examples"].splitlines()]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_a_round_trip_changes_nothing(path):
    text = path.read_text(encoding="utf-8")
    assert dumps(load(path)) == text


def test_an_example_lands_under_its_intent_and_nowhere_else(project):
    files = TrainingFiles(project)
    before = snapshot(project)
    written = files.add_training_example("faq/suivi_sollicitation", NEW_SENTENCE)
    assert written.written and written.file.name == "faq_support.yml"
    assert changes(before, snapshot(project)) == {"data/nlu/faq_support.yml": [f"+    - {NEW_SENTENCE}"]}
    assert block_of(written.file, "faq/suivi_sollicitation")[-1] == NEW_SENTENCE
    assert NEW_SENTENCE not in block_of(written.file, "faq/horaires_support")


def test_an_example_is_never_written_twice(project):
    files = TrainingFiles(project)
    files.add_training_example("faq/suivi_sollicitation", NEW_SENTENCE)
    after_first = snapshot(project)
    again = files.add_training_example("faq/suivi_sollicitation", NEW_SENTENCE.upper() + " ?")
    assert not again.written
    assert snapshot(project) == after_first


def test_a_sentence_of_the_training_data_under_another_intent_is_refused(project):
    files = TrainingFiles(project)
    existing = block_of(project / "data" / "nlu" / "faq_compte.yml", "faq/creer_compte")[0]
    before = snapshot(project)
    with pytest.raises(TrainingError) as refused:
        files.add_training_example("faq/avoir", existing)
    assert refused.value.code == "autre_intention"
    assert refused.value.details["intent"] == "faq/creer_compte"
    assert snapshot(project) == before


def test_a_held_out_sentence_never_enters_the_training_data(project):
    files = TrainingFiles(project)
    held_out = block_of(project / "tests" / "nlu" / "test_nlu.yml", "faq/creer_compte")[0]
    before = snapshot(project)
    with pytest.raises(TrainingError) as refused:
        files.add_training_example("faq/creer_compte", held_out.capitalize() + " !")
    assert refused.value.code == "phrase_du_jeu_de_test"
    assert snapshot(project) == before


def test_a_sentence_can_grow_the_held_out_set_instead(project):
    files = TrainingFiles(project)
    before = snapshot(project)
    written = files.add_held_out_example("faq/suivi_sollicitation", NEW_SENTENCE)
    assert written.written and written.file.name == "test_nlu.yml"
    assert changes(before, snapshot(project)) == {"tests/nlu/test_nlu.yml": [f"+    - {NEW_SENTENCE}"]}
    with pytest.raises(TrainingError) as refused:
        files.add_training_example("faq/suivi_sollicitation", NEW_SENTENCE)
    assert refused.value.code == "phrase_du_jeu_de_test"
    training = block_of(project / "data" / "nlu" / "faq_compte.yml", "faq/creer_compte")[0]
    with pytest.raises(TrainingError) as leak:
        files.add_held_out_example("faq/creer_compte", training)
    assert leak.value.code == "phrase_d_entrainement"


def test_unknown_intents_and_annotated_text_are_refused(project):
    files = TrainingFiles(project)
    with pytest.raises(TrainingError) as unknown:
        files.add_training_example("faq/sujet_inexistant", NEW_SENTENCE)
    assert unknown.value.code == "intention_inconnue"
    with pytest.raises(TrainingError) as markup:
        files.add_training_example("faq/avoir", "voir [SOL-2026-1](reference)")
    assert markup.value.code == "texte_invalide"


def test_an_answer_edit_changes_that_text_only(project):
    files = TrainingFiles(project)
    [variation] = files.variations("utter_faq/avoir")
    before = snapshot(project)
    new_text = variation.text.replace("Chorus Pro traite", "Sur Chorus Pro, on traite", 1)
    changed = files.set_response_text("utter_faq/avoir", 0, new_text, expected=variation.text)
    assert changed.text == new_text
    diff = changes(before, snapshot(project))
    assert list(diff) == ["data/nlu/faq_facturation.yml"]
    assert len([line for line in diff["data/nlu/faq_facturation.yml"] if line.startswith("+")]) == 1
    data = yaml.safe_load((project / "data" / "nlu" / "faq_facturation.yml").read_text(encoding="utf-8"))
    assert data["responses"]["utter_faq/avoir"][0]["text"] == new_text
    with pytest.raises(TrainingError) as stale:
        files.set_response_text("utter_faq/avoir", 0, "autre chose", expected=variation.text)
    assert stale.value.code == "reponse_modifiee"


def test_the_export_is_a_rasa_nlu_file():
    text = nlu_yaml({"faq/avoir": ["comment faire un avoir"], "hors_perimetre": ["météo demain"]})
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    assert data["nlu"] == [
        {"intent": "faq/avoir", "examples": "- comment faire un avoir\n"},
        {"intent": "hors_perimetre", "examples": "- météo demain\n"},
    ]


@pytest.mark.parametrize("text", [
    "mon siret 123 456 789 00012 est refusé",
    "répondez à jean.dupont@mairie.fr",
    "rappelez-moi au 06 12 34 56 78",
])
def test_a_sentence_with_personal_data_is_refused(project, text):
    before = snapshot(project)
    with pytest.raises(TrainingError) as refused:
        TrainingFiles(project).add_training_example("faq/suivi_sollicitation", text)
    assert refused.value.code == "donnees_personnelles"
    assert snapshot(project) == before
