"""The solicitation form in Rasa: a thin wrapper over assistance/solicitations/flow.py.

`validate_sollicitation_form` runs one Step of the flow per user message; the `action_ask_*`
questions take their buttons from the catalogue; `action_terminer_sollicitation` stores the
draft when the form ends; `action_afficher_sollicitation` reads one back in the chat.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from sqlalchemy.exc import SQLAlchemyError

from assistance.bootstrap import Core, get_core
from assistance.solicitations import flow, repository
from assistance.solicitations.draft import DraftStatus
from assistance.solicitations.flow import Flow, Known, Step, one_bubble
from assistance.solicitations.text import draft_text, format_text
from assistance.validation import find_reference

logger = logging.getLogger(__name__)

REFERENCE_ENTITY = "reference_sollicitation"


def _flow(core: Core, tracker: Tracker, domain: dict[str, Any] | None = None) -> Flow:
    state = {name: tracker.get_slot(name) for name in [*flow.STATE_SLOTS, "offre_escalade"]}
    responses = frozenset((domain or {}).get("responses") or {})
    return Flow(state, Known.read(tracker.slots, tracker.events), core.catalogue(), responses)


def _send(dispatcher: CollectingDispatcher, step: Step) -> None:
    for said in step.said:
        dispatcher.utter_message(response=said.response, **said.values)


def _slots(changes: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in changes.items()]


class ValidateSollicitationForm(FormValidationAction):
    """Reads each answer, runs the commands, and decides the next question (see flow.Flow)."""

    def name(self) -> str:
        return "validate_sollicitation_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        core = get_core()
        form = _flow(core, tracker, domain)
        requested = tracker.get_slot(REQUESTED_SLOT)
        stored = None
        if requested is None and not form.has_content():
            try:
                stored = repository.latest_draft(core.db, tracker.sender_id)
            except SQLAlchemyError:
                logger.exception("drafts of %s not readable", tracker.sender_id)
        candidates = tracker.slots_to_validate()
        if requested is not None and requested not in candidates:
            form.request_next()  # nothing to read this turn: ask the question again
            step = form.step
        else:
            step = form.turn(requested, candidates.get(requested), stored=stored)
        if step.discard:
            try:
                repository.set_status(core.db, step.discard, DraftStatus.DISCARDED, tracker.sender_id)
            except SQLAlchemyError:
                logger.exception("draft %s not marked abandonnee", step.discard)
        _send(dispatcher, step)
        # `requested_slot` last: without it Rasa would pick the next question itself.
        return [*_slots(step.changes), SlotSet(REQUESTED_SLOT, step.requested)]


# --- Questions whose buttons come from the catalogue -----------------------------------------


def _buttons(labels: list[str]) -> list[dict[str, str]]:
    return [{"title": label, "payload": label} for label in labels]


class ActionAskSollicitationCategorie(Action):
    def name(self) -> str:
        return "action_ask_sollicitation_categorie"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        catalogue = get_core().catalogue()
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
        category = get_core().catalogue().category(tracker.get_slot(flow.CATEGORY))
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
        form = _flow(get_core(), tracker)
        labels = [form.catalogue.label(name) for name in form.correctable()]
        dispatcher.utter_message(
            response="utter_ask_sollicitation_champ_a_corriger", buttons=_buttons(labels)
        )
        return []


# --- The end of the form: store, and say how to send ------------------------------------------


class ActionTerminerSollicitation(Action):
    """After the form: store the confirmed draft, or keep the cancelled one for later."""

    def name(self) -> str:
        return "action_terminer_sollicitation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        core = get_core()
        form = _flow(core, tracker)
        ended = [SlotSet(flow.OUTCOME, None), SlotSet(flow.SUMMARY, None)]
        if tracker.get_slot(flow.OUTCOME) == "validee":
            return self.store(core, dispatcher, tracker, form)
        if not form.has_content():
            dispatcher.utter_message(response="utter_sollicitation_annulee_vide")
            return ended
        try:
            reference = repository.save_draft(
                core.db, form.record(only_asked=False), status=DraftStatus.DRAFT,
                conversation_id=tracker.sender_id, year=core.now().year,
                reference=form.get(flow.REFERENCE),
            )
        except SQLAlchemyError:
            logger.exception("cancelled draft of %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_sollicitation_annulee_non_enregistree")
            return ended
        dispatcher.utter_message(response="utter_sollicitation_annulee", reference=reference)
        return [*ended, SlotSet(flow.REFERENCE, reference)]

    @staticmethod
    def store(
        core: Core, dispatcher: CollectingDispatcher, tracker: Tracker, form: Flow
    ) -> list[EventType]:
        values = form.record(only_asked=True)
        try:
            reference = repository.save_draft(
                core.db, values, status=DraftStatus.READY, conversation_id=tracker.sender_id,
                year=core.now().year, reference=form.get(flow.REFERENCE),
            )
        except SQLAlchemyError:
            logger.exception("draft of %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_erreur_enregistrement_sollicitation")
            return [SlotSet(flow.OUTCOME, None), SlotSet(flow.SUMMARY, None)]
        dispatcher.utter_message(
            response="utter_sollicitation_enregistree",
            reference=reference,
            destination=values["destination_libelle"],
            texte=one_bubble(format_text(values, form.catalogue, reference=reference)),
        )
        dispatcher.utter_message(
            response="utter_envoyer_sollicitation_libelle_portail"
            if values["libelle_portail"] else "utter_envoyer_sollicitation",
            categorie=values["categorie_libelle"],
            sous_categorie=values["sous_categorie_libelle"],
            reference=reference,
        )
        return _slots(flow.reset_changes(reference))


# --- Reading a draft back ----------------------------------------------------------------------


class ActionAfficherSollicitation(Action):
    """« Montre-moi la sollicitation SOL-2026-000123 »: only drafts of this conversation are shown."""

    def name(self) -> str:
        return "action_afficher_sollicitation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        core = get_core()
        entity = next(tracker.get_latest_entity_values(REFERENCE_ENTITY), None)
        reference = (
            find_reference(tracker.latest_message.get("text"))
            or find_reference(entity)
            or tracker.get_slot(flow.REFERENCE)
        )
        if not reference:
            dispatcher.utter_message(response="utter_demander_reference_sollicitation")
            return []
        try:
            data = repository.get_draft(core.db, reference)
        except SQLAlchemyError:
            logger.exception("draft %s not readable", reference)
            dispatcher.utter_message(response="utter_erreur_technique")
            return []
        if not data or not repository.belongs_to(data, tracker.sender_id):
            dispatcher.utter_message(response="utter_sollicitation_introuvable", reference=reference)
            return []
        dispatcher.utter_message(
            response="utter_afficher_sollicitation" if data["status"] == DraftStatus.READY
            else "utter_afficher_brouillon",
            reference=data["reference"],
            texte=one_bubble(draft_text(data, core.catalogue())),
        )
        return []
