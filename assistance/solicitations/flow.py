"""The solicitation form as a pure function: (the draft so far, what the user typed) → (slot
changes, responses to send, the next question). No Rasa, no database: actions/solicitation.py
wraps it in Rasa's form and stores what it says to store.

The form asks the category and subcategory (buttons from the catalogue), which decide the
destination (`support_outil`, the tool support, or `service_destinataire`, the receiving business
service), then only the fields that destination needs. Every answer is read as text, whatever
the NLU thought of it, so the commands the user types (in French) during the form work the same:

    annuler                stop; the draft is kept (slots, and the database as a « brouillon »)
    passer                 skip an optional field
    corriger <field>       ask a field again (also from the summary: « corriger », then a button)
    recommencer            start again from an empty draft

Known values (the website's metadata, the browser parsed from its user agent, the conversation
when the chat failed) are offered for confirmation rather than asked: the question
`utter_ask_<slot>` then has a variation conditioned on `sollicitation_a_confirmer`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistance import transcripts
from assistance.solicitations.catalogue import Catalogue
from assistance.solicitations.draft import FIELDS, DraftStatus
from assistance.solicitations.text import format_text
from assistance.validation import (
    Command,
    InvalidAnswer,
    choose,
    describe_browser,
    normalise,
    read_command,
    read_yes_no,
    validate_email,
    validate_field,
)

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

NON_FAILURE_REASONS = {None, "demande_directe"}  # escalation reasons that are not a failed chat
TRANSCRIPT_TURNS = 10  # last messages of the conversation offered as a transcript
MAX_TURN_LENGTH = 500  # characters kept of each message in the transcript
_SUMMARY_YES = {
    "valider", "je valide", "enregistrer", "c'est bon", "tout est bon", "tout est correct",
    "valider et enregistrer", "envoyer",
}


def slot_of(name: str) -> str:
    return PREFIX + name


FIELD_SLOTS = [slot_of(c) for c in FIELDS]
DRAFT_SLOTS = [CATEGORY, SUBCATEGORY, DESTINATION, *FIELD_SLOTS]
CONTROL_SLOTS = [SUMMARY, FIELD_TO_CORRECT, CORRECTING, OFFERED_SLOT, OFFERED_VALUE, SUMMARY_TEXT,
                 OUTCOME]
STATE_SLOTS = [*DRAFT_SLOTS, *CONTROL_SLOTS, SKIPPED, CHOOSING_FIELD, REFERENCE]


def one_bubble(text: str) -> str:
    """A draft as shown in the chat: in one bubble, and safe to put in a response.

    The channels split a message into bubbles at blank lines, and a draft must stay in one
    bubble to be copied at once. Rasa's response interpolation gives up on any text containing
    « 0[ » (it takes it for a placeholder left over): a zero-width space keeps it displayable.
    """
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text).replace("0[", "0\u200b[")


# --- What is known before asking ---------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """What the website and the conversation tell about the user, read once per turn."""

    logged_in: bool = False
    account_login: str | None = None  # the website's `identifiant`
    profil: str | None = None
    escalation_reason: str | None = None  # motif_escalade
    user_agent: str | None = None
    offers: Mapping[str, str] = field(default_factory=dict)  # field → valid value to confirm

    @classmethod
    def read(cls, slots: Mapping[str, Any], events: list[dict[str, Any]]) -> Known:
        """From the conversation's slots (profile from the website) and events (the transcript)."""
        offers: dict[str, str] = {}
        for name in ("structure", "identifiant", "siret"):
            _offer(offers, name, slots.get(name))
        _offer(offers, "email", slots.get("identifiant"))  # a login is usually an e-mail
        _offer(offers, "navigateur", describe_browser(slots.get("navigateur")))
        reason = slots.get("motif_escalade")
        if reason not in NON_FAILURE_REASONS:
            turns = transcripts.shortened(
                transcripts.turns(events, keep_payloads=False, skip_loop=FORM),
                last=TRANSCRIPT_TURNS, max_length=MAX_TURN_LENGTH,
            )
            if turns:
                offers["transcription"] = one_bubble(transcripts.as_text(turns))
        return cls(
            logged_in=bool(slots.get("connecte")),
            account_login=slots.get("identifiant"),
            profil=slots.get("profil"),
            escalation_reason=reason,
            user_agent=slots.get("navigateur"),
            offers=offers,
        )


def _offer(offers: dict[str, str], name: str, candidate: Any) -> None:
    if not candidate:
        return
    try:
        offers[name] = validate_field(name, candidate)
    except InvalidAnswer:
        pass


# --- One turn of the form ------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    response: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    """What one turn decided: slots to set, responses to send, the next question (None: done)."""

    changes: dict[str, Any] = field(default_factory=dict)
    said: list[Say] = field(default_factory=list)
    requested: str | None = None
    discard: str | None = None  # reference of a stored draft to mark abandoned


class Flow:
    """The draft in the slots, what is known, and the catalogue: computes one Step at a time."""

    def __init__(
        self, state: Mapping[str, Any], known: Known, catalogue: Catalogue,
        responses: frozenset[str] = frozenset(),
    ) -> None:
        self.values = dict(state)
        self.known = known
        self.catalogue = catalogue
        self.responses = responses
        self.step = Step()

    # The draft ---------------------------------------------------------------------------
    def get(self, name: str) -> Any:
        return self.values.get(name)

    def set(self, name: str, value: Any) -> None:
        if self.values.get(name) == value and name not in self.step.changes:
            return
        self.values[name] = value
        self.step.changes[name] = value

    def say(self, response: str, **values: Any) -> None:
        self.step.said.append(Say(response, values))

    @property
    def skipped(self) -> list[str]:
        return list(self.get(SKIPPED) or [])

    def routing(self) -> tuple[Any, Any]:
        category = self.catalogue.category(self.get(CATEGORY))
        subcategory = self.catalogue.subcategory(self.get(CATEGORY), self.get(SUBCATEGORY))
        return category, subcategory

    def fields(self) -> list[tuple[str, bool]]:
        """(field, required) to ask for the chosen destination and this user."""
        extras = {c for c in ("siret", "transcription") if c in self.known.offers}
        return self.catalogue.fields_to_ask(self.get(DESTINATION), self.known.logged_in, extras)

    def correctable(self) -> list[str]:
        return ["categorie", "sous_categorie", *(c for c, _ in self.fields())]

    def has_content(self) -> bool:
        return any(self.get(name) not in (None, "") for name in [CATEGORY, *FIELD_SLOTS])

    def record(self, *, only_asked: bool) -> dict[str, Any]:
        """What is stored: the routing, the fields, and who wrote it."""
        category, subcategory = self.routing()
        destination = self.catalogue.destinations.get(self.get(DESTINATION) or "")
        asked = {c for c, _ in self.fields()} if only_asked else set(FIELDS)
        values: dict[str, Any] = {c: self.get(slot_of(c)) if c in asked else None for c in FIELDS}
        values.update(
            categorie=category.code if category else None,
            categorie_libelle=category.label if category else None,
            sous_categorie=subcategory.code if subcategory else None,
            sous_categorie_libelle=subcategory.label if subcategory else None,
            libelle_portail=bool(category and subcategory and category.is_portal_label
                                 and subcategory.is_portal_label),
            destination=destination.code if destination else None,
            destination_libelle=destination.label if destination else None,
            connecte=self.known.logged_in,
            compte_identifiant=self.known.account_login if self.known.logged_in else None,
            profil=self.known.profil,
            motif_escalade=self.known.escalation_reason,
            user_agent=self.known.user_agent,
        )
        return values

    # The entry points --------------------------------------------------------------------
    def turn(
        self, requested: str | None, answer: Any = None, *, stored: dict[str, Any] | None = None,
    ) -> Step:
        """One run of the form: start (requested None; `stored` is a draft to resume) or read
        the answer to the requested slot, then choose the next question."""
        if requested is None:
            self.start(stored)
        else:
            self.answer(requested, answer)
        self.request_next()
        return self.step

    # Starting or resuming ------------------------------------------------------------------
    def start(self, stored: dict[str, Any] | None) -> None:
        for name in (OUTCOME, SUMMARY, OFFERED_SLOT, OFFERED_VALUE, CORRECTING, SUMMARY_TEXT,
                     FIELD_TO_CORRECT):
            self.set(name, None)
        self.set(CHOOSING_FIELD, False)
        self.set("offre_escalade", None)
        if self.has_content():
            self.say("utter_sollicitation_reprise")
        elif stored:
            self.load(stored)
            self.say("utter_sollicitation_reprise")
        else:
            self.say("utter_sollicitation_intro")

    def load(self, stored: dict[str, Any]) -> None:
        """Resume a draft stored in an earlier session (the catalogue may have changed since)."""
        if self.catalogue.subcategory(stored.get("categorie"), stored.get("sous_categorie")):
            self.set(CATEGORY, stored["categorie"])
            self.set(SUBCATEGORY, stored["sous_categorie"])
        for name in FIELDS:
            self.set(slot_of(name), stored.get(name))
        self.set(REFERENCE, stored.get("reference"))

    def restart(self) -> None:
        self.step.discard = self.get(REFERENCE)
        for name in DRAFT_SLOTS:
            self.set(name, None)
        self.set(SKIPPED, [])
        self.set(REFERENCE, None)
        self.set(CORRECTING, None)
        self.set(SUMMARY, None)
        self.set(CHOOSING_FIELD, False)
        self.say("utter_sollicitation_recommencee")

    # Reading an answer ---------------------------------------------------------------------
    def answer(self, requested: str, value: Any) -> None:
        text = "" if value is None else str(value)
        self.set(requested, None)  # nothing is kept until it is validated
        at_summary = requested in (SUMMARY, FIELD_TO_CORRECT)
        command = read_command(text, self.catalogue.aliases(), at_summary=at_summary)
        if command and command.name == "annuler":
            self.set(OUTCOME, "annulee")
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
        options = [(cat.code, cat.label) for cat in self.catalogue.categories]
        code = None if is_command else choose(text, options)
        if code is None:
            self.say("utter_wrong_sollicitation_categorie")
            return
        self.set(CATEGORY, code)
        self.set(SUBCATEGORY, None)
        self.set(DESTINATION, None)

    def answer_subcategory(self, text: str, is_command: bool) -> None:
        category = self.catalogue.category(self.get(CATEGORY))
        options = [(s.code, s.label) for s in category.subcategories] if category else []
        code = None if is_command else choose(text, options)
        if code is None:
            self.say("utter_wrong_sollicitation_sous_categorie")
            return
        self.set(SUBCATEGORY, code)
        destination = self.catalogue.destination(self.get(CATEGORY), code)
        self.set(DESTINATION, destination)
        self.set(SUMMARY, None)
        specific = f"utter_sollicitation_destination_{destination}"
        if specific in self.responses:
            self.say(specific)
        else:
            self.say("utter_sollicitation_destination",
                     destination=self.catalogue.destinations[destination].label)

    def answer_summary(self, text: str) -> None:
        yes = read_yes_no(text)
        if yes or normalise(text) in _SUMMARY_YES:
            self.set(SUMMARY, "valide")
            self.set(OUTCOME, "validee")
        elif yes is False:
            self.set(CHOOSING_FIELD, True)
        else:
            self.say("utter_wrong_sollicitation_recapitulatif")

    def answer_field_to_correct(self, text: str) -> None:
        correctable = self.correctable()
        options = [(name, self.catalogue.label(name)) for name in correctable]
        chosen = choose(text, options) or self.catalogue.aliases().get(normalise(text))
        if chosen in correctable:
            self.correct(chosen)
        elif read_yes_no(text) is not None or normalise(text) in _SUMMARY_YES:
            self.set(CHOOSING_FIELD, False)  # nothing to correct after all: back to the summary
        else:
            self.say("utter_wrong_sollicitation_champ_a_corriger")

    def correct(self, name: str | None) -> None:
        """Ask a field again (or which one, when `name` is None)."""
        if self.get(DESTINATION) is None:  # still choosing the category: nothing else to correct
            name = "categorie"
        if name is None:
            self.set(CHOOSING_FIELD, True)
            return
        if name not in self.correctable():
            self.say("utter_wrong_sollicitation_champ_a_corriger")
            self.set(CHOOSING_FIELD, True)
            return
        self.set(CHOOSING_FIELD, False)
        self.set(SUMMARY, None)
        if name == "categorie":
            self.set(CATEGORY, None)
        if name in ("categorie", "sous_categorie"):
            self.set(SUBCATEGORY, None)
            self.set(DESTINATION, None)
            return
        self.set(slot_of(name), None)
        self.set(SKIPPED, [p for p in self.skipped if p != name])
        if name != "transcription":  # the transcript is only ever offered, never typed
            self.set(CORRECTING, name)

    def answer_field(self, name: str, text: str, command: Command | None) -> None:
        required = dict(self.fields()).get(name, False)
        offered = self.get(OFFERED_SLOT) == slot_of(name)
        offered_value = self.get(OFFERED_VALUE)
        self.set(OFFERED_SLOT, None)
        self.set(OFFERED_VALUE, None)
        if command and command.name == "passer":
            self.skip(name, required)
            return
        if offered:
            yes = read_yes_no(text)
            if yes and offered_value:
                self.accept(name, offered_value)
                return
            if yes is False:
                if name == "transcription":
                    self.skip(name, required)
                else:
                    self.set(CORRECTING, name)
                return
            if name == "transcription":
                self.say("utter_wrong_sollicitation_transcription")
                return
        elif not required and normalise(text) in ("non", "non merci", "pas de"):
            self.skip(name, required)
            return
        if name == "transcription":
            self.say("utter_wrong_sollicitation_transcription")
            return
        try:
            value = validate_field(name, text)
        except InvalidAnswer as error:
            self.reject(name, error)
            return
        self.accept(name, value)

    def accept(self, name: str, value: str) -> None:
        self.set(slot_of(name), value)
        self.set(SKIPPED, [p for p in self.skipped if p != name])
        if self.get(CORRECTING) == name:
            self.set(CORRECTING, None)

    def skip(self, name: str, required: bool) -> None:
        if required:
            self.say("utter_champ_obligatoire")
            return
        self.set(slot_of(name), None)
        if name not in self.skipped:
            self.set(SKIPPED, [*self.skipped, name])
        if self.get(CORRECTING) == name:
            self.set(CORRECTING, None)

    def reject(self, name: str, error: InvalidAnswer) -> None:
        if error.reason == "trop_long":
            self.say("utter_texte_trop_long", **error.details)
        elif error.reason == "trop_court":
            self.say("utter_texte_trop_court", **error.details)
        elif error.reason == "caracteres":
            self.say("utter_texte_invalide")
        elif error.reason == "cle" and "utter_wrong_sollicitation_siret_cle" in self.responses:
            self.say("utter_wrong_sollicitation_siret_cle")
        else:
            self.say(f"utter_wrong_{slot_of(name)}")

    # The next question -----------------------------------------------------------------------
    def offer_for(self, name: str) -> str | None:
        """A known value to offer for confirmation: for the e-mail, the login just typed first."""
        if name == "email":
            try:
                return validate_email(self.get(slot_of("identifiant")))
            except InvalidAnswer:
                pass
        return self.known.offers.get(name)

    def next_slot(self) -> str | None:
        category, subcategory = self.routing()
        if category is None:
            return CATEGORY
        if subcategory is None:
            return SUBCATEGORY
        self.set(DESTINATION, subcategory.destination)
        if self.get(CHOOSING_FIELD):
            return FIELD_TO_CORRECT
        for name, _ in self.fields():
            if self.get(slot_of(name)) is None and name not in self.skipped:
                return slot_of(name)
        return SUMMARY

    def request_next(self) -> None:
        slot = None if self.get(OUTCOME) else self.next_slot()
        offer = None
        if slot in FIELD_SLOTS:
            name = slot.removeprefix(PREFIX)
            if self.get(CORRECTING) != name:
                offer = self.offer_for(name)
        if slot == SUMMARY:
            names = [name for name, _ in self.fields()]
            summary = format_text(self.record(only_asked=True), self.catalogue, names)
            self.set(SUMMARY_TEXT, one_bubble(summary))
        self.set(OFFERED_SLOT, slot if offer else None)
        self.set(OFFERED_VALUE, offer)
        self.step.requested = slot


def reset_changes(reference: str | None) -> dict[str, Any]:
    """The slots after a stored draft: empty, but its reference (to read it back)."""
    changes: dict[str, Any] = {name: None for name in [*DRAFT_SLOTS, *CONTROL_SLOTS]}
    changes.update({SKIPPED: [], CHOOSING_FIELD: False, REFERENCE: reference})
    return changes


__all__ = ["DraftStatus", "Flow", "Known", "Say", "Step", "one_bubble", "reset_changes"]
