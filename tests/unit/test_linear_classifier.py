"""The linear classifier fills intents and FAQ answers as DIET + ResponseSelector did."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.faq_fallback import FaqConfidenceFallback
from components.linear_classifier import LinearIntentClassifier, normalise

EXAMPLES = {
    "saluer": ["bonjour", "salut", "bonsoir à vous", "coucou", "bonjour madame"],
    "faq/creer_compte": ["comment créer un compte", "je veux créer mon compte",
                         "création de compte chorus pro", "ouvrir un compte utilisateur"],
    "faq/deposer_facture": ["comment déposer une facture", "déposer ma facture",
                            "envoyer une facture sur le portail", "dépôt de facture pdf"],
}
RESPONSES = {
    "utter_faq/creer_compte": [{"text": "Pour créer votre compte…"}],
    "utter_faq/deposer_facture": [{"text": "Pour déposer une facture…"}],
}


def training_data(with_faq: bool = True) -> TrainingData:
    messages = []
    for label, texts in EXAMPLES.items():
        if "/" in label and not with_faq:
            continue
        intent, _, _ = label.partition("/")
        for text in texts:
            data = {"text": text, "intent": intent}
            if "/" in label:
                data["intent_response_key"] = label
            messages.append(Message(data=data))
    if not with_faq:
        messages += [Message(data={"text": t, "intent": "au_revoir"})
                     for t in ["au revoir", "à bientôt", "bonne journée", "salut et merci"]]
    return TrainingData(training_examples=messages, responses=RESPONSES if with_faq else {})


@pytest.fixture
def classifier(tmp_path):
    def build(data: TrainingData, vectors: bool = False) -> LinearIntentClassifier:
        storage = LocalModelStorage(tmp_path)
        resource = Resource("linear")
        context = ExecutionContext(GraphSchema({}), "test")
        component = LinearIntentClassifier.create(
            {**LinearIntentClassifier.get_default_config(), "vector_weight": 1.0 if vectors else 0},
            storage, resource, context,
        )
        component.train(data)
        return LinearIntentClassifier.load(
            LinearIntentClassifier.get_default_config(), storage, resource, context
        )

    return build


def parse(component: LinearIntentClassifier, text: str) -> Message:
    message = Message(data={"text": text})
    component.process([message])
    return message


def test_accents_and_case_do_not_split_ngrams():
    assert normalise("Créer l’Avoir") == "creer l'avoir"


def test_a_faq_question_gets_the_faq_intent_and_the_answer_utter_faq_sends(classifier):
    message = parse(classifier(training_data()), "Comment creer un compte ?")
    assert message.get("intent")["name"] == "faq"
    selection = message.get("response_selector")["faq"]
    assert selection["response"]["intent_response_key"] == "faq/creer_compte"
    assert selection["response"]["utter_action"] == "utter_faq/creer_compte"
    assert selection["response"]["responses"] == RESPONSES["utter_faq/creer_compte"]
    assert message.get("response_selector")["all_retrieval_intents"] == ["faq"]


def test_confidences_are_probabilities_intent_is_the_sum_of_its_answers(classifier):
    message = parse(classifier(training_data()), "déposer une facture")
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["faq", "saluer"]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    answers = message.get("response_selector")["faq"]["ranking"]
    assert sum(a["confidence"] for a in answers) == pytest.approx(1.0)
    assert answers[0]["intent_response_key"] == "faq/deposer_facture"


def test_data_without_retrieval_intents_gives_a_plain_intent_classifier(classifier):
    message = parse(classifier(training_data(with_faq=False)), "au revoir et bonne journée")
    assert message.get("intent")["name"] == "au_revoir"
    assert message.get("response_selector") is None


def test_an_uncertain_answer_still_becomes_nlu_fallback(classifier):
    message = parse(classifier(training_data()), "facture compte")
    FaqConfidenceFallback({"retrieval_intent": "faq", "threshold": 0.99}).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("vectors", [False, True])
def test_the_fast_scorer_gives_the_softmax_of_the_sklearn_scores(classifier, vectors):
    import numpy as np

    from components.linear_classifier import WordVectors

    component = classifier(training_data(), vectors=vectors)
    model = component._model
    assert bool(model["vector_size"]) == vectors
    for text in ["comment créer un compte", "bonjour", "xyz", "Dépôt de FACTURE"]:
        message = Message(data={"text": text})
        scores = model["classifier"].decision_function(component._features([message], model))[0]
        scores = np.atleast_1d(scores * model["temperature"])
        if scores.size == 1:  # two classes: one score, the second class's
            scores = np.array([-scores[0] / 2, scores[0] / 2])
        expected = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
        vector = WordVectors.get(model["vectors"]).mean(text) if vectors else None
        assert np.allclose(model["fast"].probabilities(text, vector), expected)


def test_the_svm_temperature_is_fitted_only_on_enough_examples(classifier):
    from components.linear_classifier import MIN_CALIBRATION_EXAMPLES

    small = classifier(training_data())
    assert small._model["temperature"] == 1.0  # 17 examples: scores taken as they are

    objects = ["compte", "facture", "mot de passe", "structure", "sollicitation", "paiement", "avoir",
               "mandat", "pièce jointe", "raccordement"]
    verbs = {"creer": ["créer", "ouvrir", "faire"], "supprimer": ["supprimer", "effacer", "retirer"],
             "consulter": ["voir", "consulter", "afficher"], "modifier": ["modifier", "changer", "corriger"]}
    messages = [Message(data={"text": f"je veux {verb} {thing}", "intent": intent})
                for intent, forms in verbs.items() for verb in forms for thing in objects]
    assert len(messages) >= MIN_CALIBRATION_EXAMPLES
    fitted = classifier(TrainingData(training_examples=messages))._model
    assert fitted["temperature"] != 1.0
    assert 0.05 <= fitted["temperature"] <= 20.1  # within the bounds of the fit
