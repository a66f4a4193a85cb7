"""Rasa domain names that several adapters share: declared in domain/*.yml, spelled once here.

The domain vocabulary is French (trainers edit it); these constants give it English handles.
"""

# Slots
SLOT_HANDOFF = "id_transfert"  # the open handoff (« transfert ») of the conversation, as text
SLOT_ADVISOR_NAME = "nom_conseiller"  # set once the user was told an advisor joined
SLOT_OFFER = "offre_escalade"  # pending offer: conseiller or sollicitation
SLOT_ESCALATION_REASON = "motif_escalade"  # incompris, vote_negatif, demande_directe, ...
SLOT_MISUNDERSTOOD = "nb_incompris"
SLOT_NEGATIVE_VOTES = "nb_votes_negatifs"
SLOT_PROFILE = "profil"
SLOT_LOGGED_IN = "connecte"

# Intents
WAKE_UP_INTENT = "EXTERNAL_evenement_conseiller"  # sent by the desk and the waiting reminder
POLL_INTENT = "relever_messages_conseiller"  # a REST caller fetching the advisor's messages
EXTERNAL_PREFIX = "EXTERNAL_"
VOTE_POSITIVE_INTENT = "vote_positif"
FALLBACK_INTENT = "nlu_fallback"  # Rasa's FallbackClassifier (and components/faq_fallback.py)
OUT_OF_SCOPE_INTENT = "hors_perimetre"

# Actions
RELAY_ACTION = "action_relayer_message_conseiller"
HANDOFF_ACTION = "action_transferer_conseiller"
SYNC_ACTION = "action_synchroniser_conseiller"
RATING_ACTION = "action_enregistrer_note_echange"
LIVE_CHAT_ACTIONS = (RELAY_ACTION, HANDOFF_ACTION, SYNC_ACTION, RATING_ACTION)

# Responses
FAQ_PREFIX = "utter_faq/"  # the answers of the `faq` retrieval intent
