"""While a human advisor handles the conversation, the assistant stays silent.

`HandoffPolicy` reads the `id_transfert` slot (set while a handoff to an advisor is waiting or
running) and, for every message the user sends then, predicts `action_relayer_message_conseiller`,
which stores the message for the advisor and says nothing of its own. It also predicts
`action_listen` right after each live-chat action, whatever slots that action changed, so that a
turn of the live chat never falls through to the machine-learned policies.

Messages sent by other systems (`EXTERNAL_*` intents, reminders) and Rasa's own intents
(`/restart`, `/session_start`, `/back`) are left to the other policies. Its priority must be above
the RulePolicy's (4) so that its predictions win the ties at confidence 1.0.
"""

# ruff: noqa: UP006, UP007, UP019, UP035
# Rasa validates graph component signatures against typing.List/Dict: keep those forms here.

from typing import Any, Dict, List, Optional, Text

from rasa.core.constants import RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from assistance.names import EXTERNAL_PREFIX, LIVE_CHAT_ACTIONS, POLL_INTENT, RELAY_ACTION, SLOT_HANDOFF

NOT_RELAYED_INTENTS = ("restart", "session_start", "back")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class HandoffPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": RULE_POLICY_PRIORITY + 1}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Optional[Any] = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        # Nothing to learn: the behaviour is fixed. The resource must exist to be loaded.
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = next_action(tracker)
        probabilities = self._default_predictions(domain)
        if action is not None and action in domain.action_names_or_texts:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)


def next_action(tracker: DialogueStateTracker) -> Optional[Text]:
    """The action this policy insists on, or None to leave the turn to the other policies."""
    latest_action = tracker.latest_action_name
    if latest_action in LIVE_CHAT_ACTIONS:
        return ACTION_LISTEN_NAME
    if latest_action != ACTION_LISTEN_NAME:
        return None
    message = tracker.latest_message
    if message is None:
        return None
    intent = (message.intent or {}).get("name") or ""
    if intent.startswith(EXTERNAL_PREFIX) or (message.metadata or {}).get("is_external"):
        return None
    if intent == POLL_INTENT:
        return RELAY_ACTION
    if tracker.get_slot(SLOT_HANDOFF) is None or intent in NOT_RELAYED_INTENTS:
        return None
    return RELAY_ACTION
