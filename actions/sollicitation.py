"""Written requests to the support (« sollicitations »): the form, its end, and reading back.

The form `sollicitation_form` asks the category and subcategory (buttons from the catalogue,
conf/sollicitation_catalogue.yml), which decide the destination (`support_outil`, the tool support,
or `service_destinataire`, the receiving business service), then only the fields that destination
needs. Its validator reads every answer as text, whatever the NLU thought of it, so the commands
the user types (in French) during the form work the same way:

    annuler                stop; the draft is kept (slots, and the database as a « brouillon »)
    passer                 skip an optional field
    corriger <field>       ask a field again (also from the summary: « corriger », then a button)
    recommencer            start again from an empty draft

Known values (the website's metadata, the browser parsed from its user agent, the conversation
when the chat failed) are offered for confirmation rather than asked: the question
`utter_ask_<slot>` then has a variation conditioned on `sollicitation_a_confirmer`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from sqlalchemy.exc import SQLAlchemyError

from actions.sollicitation_store import (
    FIELDS,
    Catalogue,
    belongs_to,
    draft_text,
    format_text,
    format_transcript,
    latest_draft,
    load_catalogue,
    save_draft,
    set_status,
    sollicitation_as_dict,
)
from actions.validation import (
    Command,
    InvalidAnswer,
    choose,
    describe_browser,
    find_reference,
    normalise,
    read_command,
    read_yes_no,
    validate_email,
    validate_field,
)

logger = logging.getLogger(__name__)

FORM = "sollicitation_form"
PREFIX = "sollicitation_"
CATEGORY = "sollicitation_categorie"
SUBCATEGORY = "sollicitation_sous_categorie"
SUMMARY = "sollicitation_recapitulatif"
FIELD_TO_CORRECT = "sollicitation_champ_a_corriger"
DESTINATION = "sollicitation_destination"
SKIPPED = "sollicitation_passes"  # optional fields the user skipped
CORRECTING = "sollicitation_en_correction"  # field asked again, without offering a value
CHOOSING_FIELD = "sollicitation_choix_correction"  # waiting for the field to correct
OFFERED_SLOT = "sollicitation_a_confirmer"  # slot whose known value is offered for confirmation
OFFERED_VALUE = "sollicitation_proposition"  # that value
SUMMARY_TEXT = "sollicitation_resume"  # the summary shown by utter_ask_sollicitation_recapitulatif
OUTCOME = "sollicitation_issue"  # validee or annulee: how the form ended
REFERENCE = "sollicitation_reference"  # reference of the draft of this conversation

REFERENCE_ENTITY = "reference_sollicitation"
NON_FAILURE_REASONS = {None, "demande_directe"}  # escalation reasons that are not a failed chat
TRANSCRIPT_TURNS = 10  # last messages of the conversation offered as a transcript
MAX_TURN_LENGTH = 500  # characters kept of each message in the transcript
_SUMMARY_YES = {
    "valider", "je valide", "enregistrer", "c'est bon", "tout est bon", "tout est correct",
    "valider et enregistrer", "envoyer",
}


def slot_of(field: str) -> str:
    return PREFIX + field


def one_bubble(text: str) -> str:
    """A draft as shown in the chat: in one bubble, and safe to put in a response.

    The channels split a message into bubbles at blank lines, and a draft must stay in one
    bubble to be copied at once. Rasa's response interpolation gives up on any text containing
    « 0[ » (it takes it for a placeholder left over): a zero-width space keeps it displayable.
    """
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text).replace("0[", "0\u200b[")


FIELD_SLOTS = [slot_of(c) for c in FIELDS]
DRAFT_SLOTS = [CATEGORY, SUBCATEGORY, DESTINATION, *FIELD_SLOTS]
CONTROL_SLOTS = [SUMMARY, FIELD_TO_CORRECT, CORRECTING, OFFERED_SLOT, OFFERED_VALUE, SUMMARY_TEXT,
                 OUTCOME]


# --- What the conversation already tells -----------------------------------------------------


def transcript_turns(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(author, text) of the recent messages of this session, outside the solicitation form."""
    turns: list[tuple[str, str]] = []
    in_form = False
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            turns = []
        elif kind == "active_loop":
            in_form = event.get("name") == FORM
        elif in_form:
            continue
        elif kind == "user":
            text = (event.get("text") or "").strip()
            if text and not text.startswith("/"):  # button payloads are not what the user wrote
                turns.append(("utilisateur", text))
        elif kind == "bot":
            text = (event.get("text") or "").strip()
            # An advisor's message (live chat) is a custom payload {"data": {"text", "conseiller"}}.
            custom = ((event.get("data") or {}).get("custom") or {}).get("data") or {}
            if not text and isinstance(custom, dict) and isinstance(custom.get("text"), str):
                text = custom["text"].strip()
                if (custom.get("conseiller") or {}).get("evenement") == "message":
                    if text:
                        turns.append(("conseiller", text))
                    continue
            if text:
                turns.append(("assistant", text))
    turns = turns[-TRANSCRIPT_TURNS:]
    return [(a, t if len(t) <= MAX_TURN_LENGTH else t[:MAX_TURN_LENGTH] + "…") for a, t in turns]


class Context:
    """The draft as the slots hold it, plus what the website and the conversation tell."""

    def __init__(self, tracker: Tracker, catalogue: Catalogue) -> None:
        self.tracker = tracker
        self.catalogue = catalogue
        self.logged_in = bool(tracker.get_slot("connecte"))
        self.values: dict[str, Any] = {
            name: tracker.get_slot(name)
            for name in [*DRAFT_SLOTS, *CONTROL_SLOTS, SKIPPED, CHOOSING_FIELD, REFERENCE,
                         "offre_escalade"]
        }
        self.changes: dict[str, Any] = {}
        self.requested: str | None = None  # the question to ask next, always sent

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def set(self, name: str, value: Any) -> None:
        if self.values.get(name) == value and name not in self.changes:
            return
        self.values[name] = value
        self.changes[name] = value

    def events(self) -> list[EventType]:
        """Changed slots, then `requested_slot`: without it Rasa would pick the next question."""
        events = [SlotSet(name, value) for name, value in self.changes.items()]
        return [*events, SlotSet(REQUESTED_SLOT, self.requested)]

    @property
    def skipped(self) -> list[str]:
        return list(self.get(SKIPPED) or [])

    def known(self, field: str) -> str | None:
        """A value to offer for confirmation, if one is known and valid."""
        slot = self.tracker.get_slot
        candidate: Any = None
        if field in ("structure", "identifiant", "siret"):
            candidate = slot(field)
        elif field == "email":
            for value in (self.get(slot_of("identifiant")), slot("identifiant")):
                try:
                    return validate_email(value)
                except InvalidAnswer:
                    continue
            return None
        elif field == "navigateur":
            candidate = describe_browser(slot("navigateur"))
        elif field == "transcription":
            if slot("motif_escalade") in NON_FAILURE_REASONS:
                return None
            turns = transcript_turns(self.tracker.events)
            return one_bubble(format_transcript(turns, self.catalogue)) if turns else None
        if not candidate:
            return None
        try:
            return validate_field(field, candidate)
        except InvalidAnswer:
            return None

    def routing(self) -> tuple[Any, Any]:
        category = self.catalogue.category(self.get(CATEGORY))
        subcategory = self.catalogue.subcategory(self.get(CATEGORY), self.get(SUBCATEGORY))
        return category, subcategory

    def fields(self) -> list[tuple[str, bool]]:
        """(field, required) to ask for the chosen destination and this user."""
        extras = {c for c in ("siret", "transcription") if self.known(c)}
        return self.catalogue.fields_to_ask(self.get(DESTINATION), self.logged_in, extras)

    def correctable(self) -> list[str]:
        return ["categorie", "sous_categorie", *(c for c, _ in self.fields())]

    def has_content(self) -> bool:
        return any(self.get(name) not in (None, "") for name in [CATEGORY, *FIELD_SLOTS])

    def draft_values(self, only_asked: bool) -> dict[str, Any]:
        """What is stored: the routing, the fields, and who wrote it."""
        category, subcategory = self.routing()
        destination = self.catalogue.destinations.get(self.get(DESTINATION) or "")
        asked = {c for c, _ in self.fields()} if only_asked else set(FIELDS)
        values: dict[str, Any] = {c: self.get(slot_of(c)) if c in asked else None for c in FIELDS}
        slot = self.tracker.get_slot
        values.update(
            categorie=category.code if category else None,
            categorie_libelle=category.label if category else None,
            sous_categorie=subcategory.code if subcategory else None,
            sous_categorie_libelle=subcategory.label if subcategory else None,
            libelle_portail=bool(category and subcategory and category.is_portal_label
                                 and subcategory.is_portal_label),
            destination=destination.code if destination else None,
            destination_libelle=destination.label if destination else None,
            connecte=self.logged_in,
            compte_identifiant=slot("identifiant") if self.logged_in else None,
            profil=slot("profil"),
            motif_escalade=slot("motif_escalade"),
            user_agent=slot("navigateur"),
        )
        return values


# --- The form --------------------------------------------------------------------------------


class ValidateSollicitationForm(FormValidationAction):
    """Reads each answer, runs the commands, and decides the next question."""

    def name(self) -> str:
        return "validate_sollicitation_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        context = Context(tracker, load_catalogue())
        turn = _Turn(context, dispatcher, domain)
        requested = tracker.get_slot(REQUESTED_SLOT)
        candidates = tracker.slots_to_validate()
        if requested is None:
            turn.start()
        elif requested in candidates:
            turn.answer(requested, candidates[requested])
        turn.request_next()
        return context.events()


class _Turn:
    """One run of the validator: the answer to the requested slot, then the next question."""

    def __init__(self, context: Context, dispatcher: CollectingDispatcher, domain: dict) -> None:
        self.context = context
        self.catalogue = context.catalogue
        self.dispatcher = dispatcher
        self.responses = set((domain or {}).get("responses") or {})

    def say(self, response: str, **kwargs: Any) -> None:
        self.dispatcher.utter_message(response=response, **kwargs)

    # Starting or resuming -----------------------------------------------------------------
    def start(self) -> None:
        c = self.context
        for name in (OUTCOME, SUMMARY, OFFERED_SLOT, OFFERED_VALUE, CORRECTING, SUMMARY_TEXT,
                     FIELD_TO_CORRECT):
            c.set(name, None)
        c.set(CHOOSING_FIELD, False)
        c.set("offre_escalade", None)
        if c.has_content():
            self.say("utter_sollicitation_reprise")
            return
        stored = None
        try:
            stored = latest_draft(c.tracker.sender_id)
        except SQLAlchemyError:
            logger.exception("drafts of %s not readable", c.tracker.sender_id)
        if stored:
            self.load(stored)
            self.say("utter_sollicitation_reprise")
        else:
            self.say("utter_sollicitation_intro")

    def load(self, stored: dict[str, Any]) -> None:
        """Resume a draft stored in an earlier session (the catalogue may have changed since)."""
        c = self.context
        if self.catalogue.subcategory(stored.get("categorie"), stored.get("sous_categorie")):
            c.set(CATEGORY, stored["categorie"])
            c.set(SUBCATEGORY, stored["sous_categorie"])
        for field in FIELDS:
            c.set(slot_of(field), stored.get(field))
        c.set(REFERENCE, stored.get("reference"))

    def restart(self) -> None:
        c = self.context
        reference = c.get(REFERENCE)
        if reference:
            try:
                set_status(reference, "abandonnee", c.tracker.sender_id)
            except SQLAlchemyError:
                logger.exception("draft %s not marked abandonnee", reference)
        for name in DRAFT_SLOTS:
            c.set(name, None)
        c.set(SKIPPED, [])
        c.set(REFERENCE, None)
        c.set(CORRECTING, None)
        c.set(SUMMARY, None)
        c.set(CHOOSING_FIELD, False)
        self.say("utter_sollicitation_recommencee")

    # Reading an answer ----------------------------------------------------------------------
    def answer(self, requested: str, value: Any) -> None:
        c = self.context
        text = "" if value is None else str(value)
        c.set(requested, None)  # nothing is kept until it is validated
        at_summary = requested in (SUMMARY, FIELD_TO_CORRECT)
        command = read_command(text, self.catalogue.aliases(), at_summary=at_summary)
        if command and command.name == "annuler":
            c.set(OUTCOME, "annulee")
            return
        if command and command.name == "recommencer":
            self.restart()
            return
        if command and command.name == "corriger":
            self.correct(command.field)
            return
        if requested == CATEGORY:
            self.answer_category(text, command is not None)
        elif requested == SUBCATEGORY:
            self.answer_subcategory(text, command is not None)
        elif requested == SUMMARY:
            self.answer_summary(text)
        elif requested == FIELD_TO_CORRECT:
            self.answer_field_to_correct(text)
        elif requested in FIELD_SLOTS:
            self.answer_field(requested.removeprefix(PREFIX), text, command)

    def answer_category(self, text: str, is_command: bool) -> None:
        c = self.context
        options = [(cat.code, cat.label) for cat in self.catalogue.categories]
        code = None if is_command else choose(text, options)
        if code is None:
            self.say("utter_wrong_sollicitation_categorie")
            return
        c.set(CATEGORY, code)
        c.set(SUBCATEGORY, None)
        c.set(DESTINATION, None)

    def answer_subcategory(self, text: str, is_command: bool) -> None:
        c = self.context
        category = self.catalogue.category(c.get(CATEGORY))
        options = [(s.code, s.label) for s in category.subcategories] if category else []
        code = None if is_command else choose(text, options)
        if code is None:
            self.say("utter_wrong_sollicitation_sous_categorie")
            return
        c.set(SUBCATEGORY, code)
        destination = self.catalogue.destination(c.get(CATEGORY), code)
        c.set(DESTINATION, destination)
        c.set(SUMMARY, None)
        specific = f"utter_sollicitation_destination_{destination}"
        if specific in self.responses:
            self.say(specific)
        else:
            self.say("utter_sollicitation_destination",
                     destination=self.catalogue.destinations[destination].label)

    def answer_summary(self, text: str) -> None:
        c = self.context
        yes = read_yes_no(text)
        if yes or normalise(text) in _SUMMARY_YES:
            c.set(SUMMARY, "valide")
            c.set(OUTCOME, "validee")
        elif yes is False:
            c.set(CHOOSING_FIELD, True)
        else:
            self.say("utter_wrong_sollicitation_recapitulatif")

    def answer_field_to_correct(self, text: str) -> None:
        c = self.context
        correctable = c.correctable()
        options = [(field, self.catalogue.label(field)) for field in correctable]
        field = choose(text, options) or self.catalogue.aliases().get(normalise(text))
        if field in correctable:
            self.correct(field)
        elif read_yes_no(text) is not None or normalise(text) in _SUMMARY_YES:
            c.set(CHOOSING_FIELD, False)  # nothing to correct after all: back to the summary
        else:
            self.say("utter_wrong_sollicitation_champ_a_corriger")

    def correct(self, field: str | None) -> None:
        """Ask a field again (or which one, when `field` is None)."""
        c = self.context
        if c.get(DESTINATION) is None:  # still choosing the category: nothing else to correct
            field = "categorie"
        if field is None:
            c.set(CHOOSING_FIELD, True)
            return
        if field not in c.correctable():
            self.say("utter_wrong_sollicitation_champ_a_corriger")
            c.set(CHOOSING_FIELD, True)
            return
        c.set(CHOOSING_FIELD, False)
        c.set(SUMMARY, None)
        if field == "categorie":
            c.set(CATEGORY, None)
        if field in ("categorie", "sous_categorie"):
            c.set(SUBCATEGORY, None)
            c.set(DESTINATION, None)
            return
        c.set(slot_of(field), None)
        c.set(SKIPPED, [p for p in c.skipped if p != field])
        if field != "transcription":  # the transcript is only ever offered, never typed
            c.set(CORRECTING, field)

    def answer_field(self, field: str, text: str, command: Command | None) -> None:
        c = self.context
        required = dict(c.fields()).get(field, False)
        offered = c.get(OFFERED_SLOT) == slot_of(field)
        offered_value = c.get(OFFERED_VALUE)
        c.set(OFFERED_SLOT, None)
        c.set(OFFERED_VALUE, None)
        if command and command.name == "passer":
            self.skip(field, required)
            return
        if offered:
            yes = read_yes_no(text)
            if yes and offered_value:
                self.accept(field, offered_value)
                return
            if yes is False:
                if field == "transcription":
                    self.skip(field, required)
                else:
                    c.set(CORRECTING, field)
                return
            if field == "transcription":
                self.say("utter_wrong_sollicitation_transcription")
                return
        elif not required and normalise(text) in ("non", "non merci", "pas de"):
            self.skip(field, required)
            return
        if field == "transcription":
            self.say("utter_wrong_sollicitation_transcription")
            return
        try:
            value = validate_field(field, text)
        except InvalidAnswer as error:
            self.reject(field, error)
            return
        self.accept(field, value)

    def accept(self, field: str, value: str) -> None:
        c = self.context
        c.set(slot_of(field), value)
        c.set(SKIPPED, [p for p in c.skipped if p != field])
        if c.get(CORRECTING) == field:
            c.set(CORRECTING, None)

    def skip(self, field: str, required: bool) -> None:
        c = self.context
        if required:
            self.say("utter_champ_obligatoire")
            return
        c.set(slot_of(field), None)
        if field not in c.skipped:
            c.set(SKIPPED, [*c.skipped, field])
        if c.get(CORRECTING) == field:
            c.set(CORRECTING, None)

    def reject(self, field: str, error: InvalidAnswer) -> None:
        if error.reason == "trop_long":
            self.say("utter_texte_trop_long", **error.details)
        elif error.reason == "trop_court":
            self.say("utter_texte_trop_court", **error.details)
        elif error.reason == "caracteres":
            self.say("utter_texte_invalide")
        elif error.reason == "cle" and "utter_wrong_sollicitation_siret_cle" in self.responses:
            self.say("utter_wrong_sollicitation_siret_cle")
        else:
            self.say(f"utter_wrong_{slot_of(field)}")

    # The next question ---------------------------------------------------------------------
    def next_slot(self) -> str | None:
        c = self.context
        category, subcategory = c.routing()
        if category is None:
            return CATEGORY
        if subcategory is None:
            return SUBCATEGORY
        c.set(DESTINATION, subcategory.destination)
        if c.get(CHOOSING_FIELD):
            return FIELD_TO_CORRECT
        for field, _ in c.fields():
            if c.get(slot_of(field)) is None and field not in c.skipped:
                return slot_of(field)
        return SUMMARY

    def request_next(self) -> None:
        c = self.context
        slot = None if c.get(OUTCOME) else self.next_slot()
        offer = None
        if slot in FIELD_SLOTS:
            field = slot.removeprefix(PREFIX)
            if c.get(CORRECTING) != field:
                offer = c.known(field)
        if slot == SUMMARY:
            fields = [field for field, _ in c.fields()]
            summary = format_text(c.draft_values(only_asked=True), self.catalogue, fields)
            c.set(SUMMARY_TEXT, one_bubble(summary))
        c.set(OFFERED_SLOT, slot if offer else None)
        c.set(OFFERED_VALUE, offer)
        c.requested = slot


# --- Questions whose buttons come from the catalogue -----------------------------------------


def _buttons(labels: list[str]) -> list[dict[str, str]]:
    return [{"title": label, "payload": label} for label in labels]


class ActionAskSollicitationCategorie(Action):
    def name(self) -> str:
        return "action_ask_sollicitation_categorie"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        catalogue = load_catalogue()
        dispatcher.utter_message(
            response="utter_ask_sollicitation_categorie",
            buttons=_buttons([c.label for c in catalogue.categories]),
        )
        return []


class ActionAskSollicitationSousCategorie(Action):
    def name(self) -> str:
        return "action_ask_sollicitation_sous_categorie"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        category = load_catalogue().category(tracker.get_slot(CATEGORY))
        if category is None:  # not reachable through the validator
            return []
        dispatcher.utter_message(
            response="utter_ask_sollicitation_sous_categorie",
            categorie=category.label,
            buttons=_buttons([s.label for s in category.subcategories]),
        )
        return []


class ActionAskSollicitationChampACorriger(Action):
    def name(self) -> str:
        return "action_ask_sollicitation_champ_a_corriger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        context = Context(tracker, load_catalogue())
        labels = [context.catalogue.label(field) for field in context.correctable()]
        dispatcher.utter_message(
            response="utter_ask_sollicitation_champ_a_corriger", buttons=_buttons(labels)
        )
        return []


# --- The end of the form: store, and say how to send ------------------------------------------


def _reset_events(reference: str | None) -> list[EventType]:
    events: list[EventType] = [SlotSet(name, None) for name in [*DRAFT_SLOTS, *CONTROL_SLOTS]]
    return [*events, SlotSet(SKIPPED, []), SlotSet(CHOOSING_FIELD, False),
            SlotSet(REFERENCE, reference)]


class ActionTerminerSollicitation(Action):
    """After the form: store the confirmed draft, or keep the cancelled one for later."""

    def name(self) -> str:
        return "action_terminer_sollicitation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        context = Context(tracker, load_catalogue())
        outcome = tracker.get_slot(OUTCOME)
        if outcome == "validee":
            return self.store(dispatcher, context)
        if not context.has_content():
            dispatcher.utter_message(response="utter_sollicitation_annulee_vide")
            return [SlotSet(OUTCOME, None), SlotSet(SUMMARY, None)]
        try:
            reference = save_draft(
                context.draft_values(only_asked=False),
                status="brouillon",
                conversation_id=tracker.sender_id,
                reference=context.get(REFERENCE),
            )
        except SQLAlchemyError:
            logger.exception("cancelled draft of %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_sollicitation_annulee_non_enregistree")
            return [SlotSet(OUTCOME, None), SlotSet(SUMMARY, None)]
        dispatcher.utter_message(response="utter_sollicitation_annulee", reference=reference)
        return [SlotSet(OUTCOME, None), SlotSet(SUMMARY, None), SlotSet(REFERENCE, reference)]

    @staticmethod
    def store(dispatcher: CollectingDispatcher, context: Context) -> list[EventType]:
        values = context.draft_values(only_asked=True)
        try:
            reference = save_draft(
                values,
                status="prete",
                conversation_id=context.tracker.sender_id,
                reference=context.get(REFERENCE),
            )
        except SQLAlchemyError:
            logger.exception("draft of %s not stored", context.tracker.sender_id)
            dispatcher.utter_message(response="utter_erreur_enregistrement_sollicitation")
            return [SlotSet(OUTCOME, None), SlotSet(SUMMARY, None)]
        dispatcher.utter_message(
            response="utter_sollicitation_enregistree",
            reference=reference,
            destination=values["destination_libelle"],
            texte=one_bubble(format_text(values, context.catalogue, reference=reference)),
        )
        dispatcher.utter_message(
            response="utter_envoyer_sollicitation_libelle_portail"
            if values["libelle_portail"] else "utter_envoyer_sollicitation",
            categorie=values["categorie_libelle"],
            sous_categorie=values["sous_categorie_libelle"],
            reference=reference,
        )
        return _reset_events(reference)


# --- Reading a draft back ----------------------------------------------------------------------


class ActionAfficherSollicitation(Action):
    """« Montre-moi la sollicitation SOL-2026-000123 »: only drafts of this conversation are shown."""

    def name(self) -> str:
        return "action_afficher_sollicitation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        entity = next(tracker.get_latest_entity_values(REFERENCE_ENTITY), None)
        reference = (
            find_reference(tracker.latest_message.get("text"))
            or find_reference(entity)
            or tracker.get_slot(REFERENCE)
        )
        if not reference:
            dispatcher.utter_message(response="utter_demander_reference_sollicitation")
            return []
        try:
            data = sollicitation_as_dict(reference)
        except SQLAlchemyError:
            logger.exception("draft %s not readable", reference)
            dispatcher.utter_message(response="utter_erreur_technique")
            return []
        if not data or not belongs_to(data, tracker.sender_id):
            dispatcher.utter_message(response="utter_sollicitation_introuvable", reference=reference)
            return []
        dispatcher.utter_message(
            response="utter_afficher_sollicitation" if data["statut"] == "prete"
            else "utter_afficher_brouillon",
            reference=data["reference"],
            texte=one_bubble(draft_text(data, load_catalogue())),
        )
        return []

