"""Written requests to the support (« sollicitations »): the form, its end, and reading back.

The form `sollicitation_form` asks the catégorie and sous-catégorie (buttons from the catalogue,
conf/sollicitation_catalogue.yml), which decide the destination (support outil or service
destinataire), then only the fields that destination needs. Its validator reads every answer as
text, whatever the NLU thought of it, so the commands typed during the form work the same way:

    annuler                stop; the draft is kept (slots, and the database as a « brouillon »)
    passer                 skip an optional field
    corriger <champ>       ask a field again (also from the summary: « corriger », then a button)
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
    CHAMPS,
    Catalogue,
    appartient_a,
    changer_statut,
    dernier_brouillon,
    enregistrer_sollicitation,
    format_texte,
    format_transcription,
    load_catalogue,
    sollicitation_as_dict,
    texte_de,
)
from actions.validation import (
    Commande,
    Invalide,
    choisir,
    decrire_navigateur,
    lire_commande,
    lire_oui_non,
    normaliser,
    trouver_reference,
    valider,
    valider_email,
)

logger = logging.getLogger(__name__)

FORM = "sollicitation_form"
PREFIX = "sollicitation_"
CATEGORIE = "sollicitation_categorie"
SOUS_CATEGORIE = "sollicitation_sous_categorie"
RECAPITULATIF = "sollicitation_recapitulatif"
CHAMP_A_CORRIGER = "sollicitation_champ_a_corriger"
DESTINATION = "sollicitation_destination"
PASSES = "sollicitation_passes"  # optional fields the user skipped
EN_CORRECTION = "sollicitation_en_correction"  # field asked again, without offering a value
CHOIX_CORRECTION = "sollicitation_choix_correction"  # waiting for the field to correct
A_CONFIRMER = "sollicitation_a_confirmer"  # slot whose known value is offered for confirmation
PROPOSITION = "sollicitation_proposition"  # that value
RESUME = "sollicitation_resume"  # the summary shown by utter_ask_sollicitation_recapitulatif
ISSUE = "sollicitation_issue"  # validee or annulee: how the form ended
REFERENCE = "sollicitation_reference"  # reference of the draft of this conversation

ENTITE_REFERENCE = "reference_sollicitation"
MOTIFS_SANS_ECHEC = {None, "demande_directe"}  # escalation reasons that are not a failed chat
TOURS_TRANSCRIPTION = 10  # last messages of the conversation offered as a transcript
MAX_TOUR = 500  # characters kept of each message in the transcript
_OUI_RECAPITULATIF = {
    "valider", "je valide", "enregistrer", "c'est bon", "tout est bon", "tout est correct",
    "valider et enregistrer", "envoyer",
}


def slot_of(champ: str) -> str:
    return PREFIX + champ


def une_bulle(text: str) -> str:
    """A draft as shown in the chat: in one bubble, and safe to put in a response.

    The channels split a message into bubbles at blank lines, and a draft must stay in one
    bubble to be copied at once. Rasa's response interpolation gives up on any text containing
    « 0[ » (it takes it for a placeholder left over): a zero-width space keeps it displayable.
    """
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text).replace("0[", "0\u200b[")


FIELD_SLOTS = [slot_of(c) for c in CHAMPS]
DRAFT_SLOTS = [CATEGORIE, SOUS_CATEGORIE, DESTINATION, *FIELD_SLOTS]
CONTROL_SLOTS = [RECAPITULATIF, CHAMP_A_CORRIGER, EN_CORRECTION, A_CONFIRMER, PROPOSITION, RESUME,
                 ISSUE]


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
    turns = turns[-TOURS_TRANSCRIPTION:]
    return [(a, t if len(t) <= MAX_TOUR else t[:MAX_TOUR] + "…") for a, t in turns]


class Context:
    """The draft as the slots hold it, plus what the website and the conversation tell."""

    def __init__(self, tracker: Tracker, catalogue: Catalogue) -> None:
        self.tracker = tracker
        self.catalogue = catalogue
        self.connecte = bool(tracker.get_slot("connecte"))
        self.values: dict[str, Any] = {
            name: tracker.get_slot(name)
            for name in [*DRAFT_SLOTS, *CONTROL_SLOTS, PASSES, CHOIX_CORRECTION, REFERENCE,
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
    def passes(self) -> list[str]:
        return list(self.get(PASSES) or [])

    def known(self, champ: str) -> str | None:
        """A value to offer for confirmation, if one is known and valid."""
        slot = self.tracker.get_slot
        candidate: Any = None
        if champ in ("structure", "identifiant", "siret"):
            candidate = slot(champ)
        elif champ == "email":
            for value in (self.get(slot_of("identifiant")), slot("identifiant")):
                try:
                    return valider_email(value)
                except Invalide:
                    continue
            return None
        elif champ == "navigateur":
            candidate = decrire_navigateur(slot("navigateur"))
        elif champ == "transcription":
            if slot("motif_escalade") in MOTIFS_SANS_ECHEC:
                return None
            turns = transcript_turns(self.tracker.events)
            return une_bulle(format_transcription(turns, self.catalogue)) if turns else None
        if not candidate:
            return None
        try:
            return valider(champ, candidate)
        except Invalide:
            return None

    def routing(self) -> tuple[Any, Any]:
        categorie = self.catalogue.categorie(self.get(CATEGORIE))
        sous_categorie = self.catalogue.sous_categorie(self.get(CATEGORIE), self.get(SOUS_CATEGORIE))
        return categorie, sous_categorie

    def fields(self) -> list[tuple[str, bool]]:
        """(field, required) to ask for the chosen destination and this user."""
        extras = {c for c in ("siret", "transcription") if self.known(c)}
        return self.catalogue.champs_a_demander(self.get(DESTINATION), self.connecte, extras)

    def correctable(self) -> list[str]:
        return ["categorie", "sous_categorie", *(c for c, _ in self.fields())]

    def has_content(self) -> bool:
        return any(self.get(name) not in (None, "") for name in [CATEGORIE, *FIELD_SLOTS])

    def draft_values(self, only_asked: bool) -> dict[str, Any]:
        """What is stored: the routing, the fields, and who wrote it."""
        categorie, sous_categorie = self.routing()
        destination = self.catalogue.destinations.get(self.get(DESTINATION) or "")
        asked = {c for c, _ in self.fields()} if only_asked else set(CHAMPS)
        values: dict[str, Any] = {c: self.get(slot_of(c)) if c in asked else None for c in CHAMPS}
        slot = self.tracker.get_slot
        values.update(
            categorie=categorie.code if categorie else None,
            categorie_libelle=categorie.libelle if categorie else None,
            sous_categorie=sous_categorie.code if sous_categorie else None,
            sous_categorie_libelle=sous_categorie.libelle if sous_categorie else None,
            libelle_portail=bool(categorie and sous_categorie and categorie.libelle_portail
                                 and sous_categorie.libelle_portail),
            destination=destination.code if destination else None,
            destination_libelle=destination.libelle if destination else None,
            connecte=self.connecte,
            compte_identifiant=slot("identifiant") if self.connecte else None,
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
        for name in (ISSUE, RECAPITULATIF, A_CONFIRMER, PROPOSITION, EN_CORRECTION, RESUME,
                     CHAMP_A_CORRIGER):
            c.set(name, None)
        c.set(CHOIX_CORRECTION, False)
        c.set("offre_escalade", None)
        if c.has_content():
            self.say("utter_sollicitation_reprise")
            return
        stored = None
        try:
            stored = dernier_brouillon(c.tracker.sender_id)
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
        if self.catalogue.sous_categorie(stored.get("categorie"), stored.get("sous_categorie")):
            c.set(CATEGORIE, stored["categorie"])
            c.set(SOUS_CATEGORIE, stored["sous_categorie"])
        for champ in CHAMPS:
            c.set(slot_of(champ), stored.get(champ))
        c.set(REFERENCE, stored.get("reference"))

    def restart(self) -> None:
        c = self.context
        reference = c.get(REFERENCE)
        if reference:
            try:
                changer_statut(reference, "abandonnee", c.tracker.sender_id)
            except SQLAlchemyError:
                logger.exception("draft %s not marked abandonnee", reference)
        for name in DRAFT_SLOTS:
            c.set(name, None)
        c.set(PASSES, [])
        c.set(REFERENCE, None)
        c.set(EN_CORRECTION, None)
        c.set(RECAPITULATIF, None)
        c.set(CHOIX_CORRECTION, False)
        self.say("utter_sollicitation_recommencee")

    # Reading an answer ----------------------------------------------------------------------
    def answer(self, requested: str, value: Any) -> None:
        c = self.context
        text = "" if value is None else str(value)
        c.set(requested, None)  # nothing is kept until it is validated
        au_recapitulatif = requested in (RECAPITULATIF, CHAMP_A_CORRIGER)
        command = lire_commande(text, self.catalogue.alias(), au_recapitulatif=au_recapitulatif)
        if command and command.nom == "annuler":
            c.set(ISSUE, "annulee")
            return
        if command and command.nom == "recommencer":
            self.restart()
            return
        if command and command.nom == "corriger":
            self.correct(command.champ)
            return
        if requested == CATEGORIE:
            self.answer_categorie(text, command is not None)
        elif requested == SOUS_CATEGORIE:
            self.answer_sous_categorie(text, command is not None)
        elif requested == RECAPITULATIF:
            self.answer_recapitulatif(text)
        elif requested == CHAMP_A_CORRIGER:
            self.answer_champ_a_corriger(text)
        elif requested in FIELD_SLOTS:
            self.answer_field(requested.removeprefix(PREFIX), text, command)

    def answer_categorie(self, text: str, is_command: bool) -> None:
        c = self.context
        options = [(cat.code, cat.libelle) for cat in self.catalogue.categories]
        code = None if is_command else choisir(text, options)
        if code is None:
            self.say("utter_wrong_sollicitation_categorie")
            return
        c.set(CATEGORIE, code)
        c.set(SOUS_CATEGORIE, None)
        c.set(DESTINATION, None)

    def answer_sous_categorie(self, text: str, is_command: bool) -> None:
        c = self.context
        categorie = self.catalogue.categorie(c.get(CATEGORIE))
        options = [(s.code, s.libelle) for s in categorie.sous_categories] if categorie else []
        code = None if is_command else choisir(text, options)
        if code is None:
            self.say("utter_wrong_sollicitation_sous_categorie")
            return
        c.set(SOUS_CATEGORIE, code)
        destination = self.catalogue.destination(c.get(CATEGORIE), code)
        c.set(DESTINATION, destination)
        c.set(RECAPITULATIF, None)
        specific = f"utter_sollicitation_destination_{destination}"
        if specific in self.responses:
            self.say(specific)
        else:
            self.say("utter_sollicitation_destination",
                     destination=self.catalogue.destinations[destination].libelle)

    def answer_recapitulatif(self, text: str) -> None:
        c = self.context
        yes = lire_oui_non(text)
        if yes or normaliser(text) in _OUI_RECAPITULATIF:
            c.set(RECAPITULATIF, "valide")
            c.set(ISSUE, "validee")
        elif yes is False:
            c.set(CHOIX_CORRECTION, True)
        else:
            self.say("utter_wrong_sollicitation_recapitulatif")

    def answer_champ_a_corriger(self, text: str) -> None:
        c = self.context
        correctable = c.correctable()
        options = [(champ, self.catalogue.libelle(champ)) for champ in correctable]
        champ = choisir(text, options) or self.catalogue.alias().get(normaliser(text))
        if champ in correctable:
            self.correct(champ)
        elif lire_oui_non(text) is not None or normaliser(text) in _OUI_RECAPITULATIF:
            c.set(CHOIX_CORRECTION, False)  # nothing to correct after all: back to the summary
        else:
            self.say("utter_wrong_sollicitation_champ_a_corriger")

    def correct(self, champ: str | None) -> None:
        """Ask a field again (or which one, when `champ` is None)."""
        c = self.context
        if c.get(DESTINATION) is None:  # still choosing the category: nothing else to correct
            champ = "categorie"
        if champ is None:
            c.set(CHOIX_CORRECTION, True)
            return
        if champ not in c.correctable():
            self.say("utter_wrong_sollicitation_champ_a_corriger")
            c.set(CHOIX_CORRECTION, True)
            return
        c.set(CHOIX_CORRECTION, False)
        c.set(RECAPITULATIF, None)
        if champ == "categorie":
            c.set(CATEGORIE, None)
        if champ in ("categorie", "sous_categorie"):
            c.set(SOUS_CATEGORIE, None)
            c.set(DESTINATION, None)
            return
        c.set(slot_of(champ), None)
        c.set(PASSES, [p for p in c.passes if p != champ])
        if champ != "transcription":  # the transcript is only ever offered, never typed
            c.set(EN_CORRECTION, champ)

    def answer_field(self, champ: str, text: str, command: Commande | None) -> None:
        c = self.context
        required = dict(c.fields()).get(champ, False)
        offered = c.get(A_CONFIRMER) == slot_of(champ)
        proposition = c.get(PROPOSITION)
        c.set(A_CONFIRMER, None)
        c.set(PROPOSITION, None)
        if command and command.nom == "passer":
            self.skip(champ, required)
            return
        if offered:
            yes = lire_oui_non(text)
            if yes and proposition:
                self.accept(champ, proposition)
                return
            if yes is False:
                if champ == "transcription":
                    self.skip(champ, required)
                else:
                    c.set(EN_CORRECTION, champ)
                return
            if champ == "transcription":
                self.say("utter_wrong_sollicitation_transcription")
                return
        elif not required and normaliser(text) in ("non", "non merci", "pas de"):
            self.skip(champ, required)
            return
        if champ == "transcription":
            self.say("utter_wrong_sollicitation_transcription")
            return
        try:
            value = valider(champ, text)
        except Invalide as error:
            self.reject(champ, error)
            return
        self.accept(champ, value)

    def accept(self, champ: str, value: str) -> None:
        c = self.context
        c.set(slot_of(champ), value)
        c.set(PASSES, [p for p in c.passes if p != champ])
        if c.get(EN_CORRECTION) == champ:
            c.set(EN_CORRECTION, None)

    def skip(self, champ: str, required: bool) -> None:
        c = self.context
        if required:
            self.say("utter_champ_obligatoire")
            return
        c.set(slot_of(champ), None)
        if champ not in c.passes:
            c.set(PASSES, [*c.passes, champ])
        if c.get(EN_CORRECTION) == champ:
            c.set(EN_CORRECTION, None)

    def reject(self, champ: str, error: Invalide) -> None:
        if error.raison == "trop_long":
            self.say("utter_texte_trop_long", **error.details)
        elif error.raison == "trop_court":
            self.say("utter_texte_trop_court", **error.details)
        elif error.raison == "caracteres":
            self.say("utter_texte_invalide")
        elif error.raison == "cle" and "utter_wrong_sollicitation_siret_cle" in self.responses:
            self.say("utter_wrong_sollicitation_siret_cle")
        else:
            self.say(f"utter_wrong_{slot_of(champ)}")

    # The next question ---------------------------------------------------------------------
    def next_slot(self) -> str | None:
        c = self.context
        categorie, sous_categorie = c.routing()
        if categorie is None:
            return CATEGORIE
        if sous_categorie is None:
            return SOUS_CATEGORIE
        c.set(DESTINATION, sous_categorie.destination)
        if c.get(CHOIX_CORRECTION):
            return CHAMP_A_CORRIGER
        for champ, _ in c.fields():
            if c.get(slot_of(champ)) is None and champ not in c.passes:
                return slot_of(champ)
        return RECAPITULATIF

    def request_next(self) -> None:
        c = self.context
        slot = None if c.get(ISSUE) else self.next_slot()
        offer = None
        if slot in FIELD_SLOTS:
            champ = slot.removeprefix(PREFIX)
            if c.get(EN_CORRECTION) != champ:
                offer = c.known(champ)
        if slot == RECAPITULATIF:
            fields = [champ for champ, _ in c.fields()]
            summary = format_texte(c.draft_values(only_asked=True), self.catalogue, fields)
            c.set(RESUME, une_bulle(summary))
        c.set(A_CONFIRMER, slot if offer else None)
        c.set(PROPOSITION, offer)
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
            buttons=_buttons([c.libelle for c in catalogue.categories]),
        )
        return []


class ActionAskSollicitationSousCategorie(Action):
    def name(self) -> str:
        return "action_ask_sollicitation_sous_categorie"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        categorie = load_catalogue().categorie(tracker.get_slot(CATEGORIE))
        if categorie is None:  # not reachable through the validator
            return []
        dispatcher.utter_message(
            response="utter_ask_sollicitation_sous_categorie",
            categorie=categorie.libelle,
            buttons=_buttons([s.libelle for s in categorie.sous_categories]),
        )
        return []


class ActionAskSollicitationChampACorriger(Action):
    def name(self) -> str:
        return "action_ask_sollicitation_champ_a_corriger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        context = Context(tracker, load_catalogue())
        labels = [context.catalogue.libelle(champ) for champ in context.correctable()]
        dispatcher.utter_message(
            response="utter_ask_sollicitation_champ_a_corriger", buttons=_buttons(labels)
        )
        return []


# --- The end of the form: store, and say how to send ------------------------------------------


def _reset_events(reference: str | None) -> list[EventType]:
    events: list[EventType] = [SlotSet(name, None) for name in [*DRAFT_SLOTS, *CONTROL_SLOTS]]
    return [*events, SlotSet(PASSES, []), SlotSet(CHOIX_CORRECTION, False),
            SlotSet(REFERENCE, reference)]


class ActionTerminerSollicitation(Action):
    """After the form: store the confirmed draft, or keep the cancelled one for later."""

    def name(self) -> str:
        return "action_terminer_sollicitation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        context = Context(tracker, load_catalogue())
        issue = tracker.get_slot(ISSUE)
        if issue == "validee":
            return self.store(dispatcher, context)
        if not context.has_content():
            dispatcher.utter_message(response="utter_sollicitation_annulee_vide")
            return [SlotSet(ISSUE, None), SlotSet(RECAPITULATIF, None)]
        try:
            reference = enregistrer_sollicitation(
                context.draft_values(only_asked=False),
                statut="brouillon",
                conversation_id=tracker.sender_id,
                reference=context.get(REFERENCE),
            )
        except SQLAlchemyError:
            logger.exception("cancelled draft of %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_sollicitation_annulee_non_enregistree")
            return [SlotSet(ISSUE, None), SlotSet(RECAPITULATIF, None)]
        dispatcher.utter_message(response="utter_sollicitation_annulee", reference=reference)
        return [SlotSet(ISSUE, None), SlotSet(RECAPITULATIF, None), SlotSet(REFERENCE, reference)]

    @staticmethod
    def store(dispatcher: CollectingDispatcher, context: Context) -> list[EventType]:
        values = context.draft_values(only_asked=True)
        try:
            reference = enregistrer_sollicitation(
                values,
                statut="prete",
                conversation_id=context.tracker.sender_id,
                reference=context.get(REFERENCE),
            )
        except SQLAlchemyError:
            logger.exception("draft of %s not stored", context.tracker.sender_id)
            dispatcher.utter_message(response="utter_erreur_enregistrement_sollicitation")
            return [SlotSet(ISSUE, None), SlotSet(RECAPITULATIF, None)]
        dispatcher.utter_message(
            response="utter_sollicitation_enregistree",
            reference=reference,
            destination=values["destination_libelle"],
            texte=une_bulle(format_texte(values, context.catalogue, reference=reference)),
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
        entity = next(tracker.get_latest_entity_values(ENTITE_REFERENCE), None)
        reference = (
            trouver_reference(tracker.latest_message.get("text"))
            or trouver_reference(entity)
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
        if not data or not appartient_a(data, tracker.sender_id):
            dispatcher.utter_message(response="utter_sollicitation_introuvable", reference=reference)
            return []
        dispatcher.utter_message(
            response="utter_afficher_sollicitation" if data["statut"] == "prete"
            else "utter_afficher_brouillon",
            reference=data["reference"],
            texte=une_bulle(texte_de(data, load_catalogue())),
        )
        return []

