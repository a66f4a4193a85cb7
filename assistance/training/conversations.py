"""What happened in a conversation, read from Rasa's events: the messages and how they were
understood, the answers given, the offers of a human and whether the user took them.

One reading serves the trainers' inbox (inbox.py) and the dashboard (metrics.py). A conversation
here is one Rasa session of a sender (a new session starts after `session_started`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistance import names, transcripts
from assistance.transcripts import Turn

MISUNDERSTOOD = (names.FALLBACK_INTENT, names.OUT_OF_SCOPE_INTENT)
SOLICITATION_FORM = "sollicitation_form"
# Intents that answer the assistant rather than ask something: never what a trainer teaches.
CONVERSATIONAL = {
    "affirmer", "nier", "vote_positif", "vote_negatif", "demander_conseiller",
    "rediger_sollicitation", "saluer", "au_revoir", "remercier", names.POLL_INTENT,
}


@dataclass
class Message:
    """One message the user typed (or a button sent), with what the NLU made of it."""

    event_id: int | None
    conversation_id: str
    timestamp: float
    text: str
    intent: str | None  # as Rasa acted on it (nlu_fallback included)
    confidence: float | None
    predicted: str | None  # best guess besides the fallback: faq/<topic> for FAQ questions
    predicted_confidence: float | None
    turn: int  # index of this message in Conversation.turns
    answer: list[str] = field(default_factory=list)  # what the assistant answered
    answer_actions: list[str] = field(default_factory=list)  # responses sent (utter_faq/…)
    answer_ids: list[str] = field(default_factory=list)  # FAQ answers' ids, as votes name them
    # Not addressed to the assistant's understanding: a message relayed to an advisor during a
    # handoff, or an answer typed inside the solicitation form (an e-mail, a SIRET…).
    aside: bool = False

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")

    @property
    def misunderstood(self) -> bool:
        return self.intent in MISUNDERSTOOD

    @property
    def faq_topic(self) -> str | None:
        if self.predicted and self.predicted.startswith("faq/"):
            return self.predicted.removeprefix("faq/")
        return None


@dataclass
class Offer:
    """The offer of a human advisor (chat open) or of a written request (chat closed)."""

    timestamp: float
    kind: str  # conseiller or sollicitation
    motif: str | None  # incompris, vote_negatif, demande_directe, conseiller_indisponible
    outcome: str | None = None  # transfert, sollicitation (taken), declinee (anything else)

    @property
    def accepted(self) -> bool:
        return self.outcome in ("transfert", "sollicitation")


@dataclass
class Conversation:
    conversation_id: str
    started_at: float  # first user message
    turns: list[Turn] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    handoff_at: float | None = None  # when the user was first queued for an advisor
    solicitation_at: float | None = None  # when the solicitation form first ran

    @property
    def typed(self) -> list[Message]:
        """What the user typed to the assistant: not button payloads, not the messages for an
        advisor, not the answers to the solicitation form."""
        return [m for m in self.messages if not m.is_payload and not m.aside]

    def context(self, message: Message, before: int = 3, after: int = 3) -> list[Turn]:
        return self.turns[max(0, message.turn - before): message.turn + after + 1]

    def question_before(self, timestamp: float) -> Message | None:
        """The last question the user typed before `timestamp` (what the escalation was about)."""
        for message in reversed(self.typed):
            if message.timestamp <= timestamp and message.intent not in CONVERSATIONAL:
                return message
        return None


def find_answer(conversations: list[Conversation], answer_id: str) -> tuple[Conversation, Message] | None:
    """The conversation and question that got the FAQ answer a vote names."""
    for conversation in conversations:
        for message in conversation.messages:
            if answer_id in message.answer_ids:
                return conversation, message
    return None


def _prediction(parse: dict[str, Any]) -> tuple[str | None, float | None]:
    """The best intent besides the fallback, with the FAQ topic for FAQ questions."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != names.FALLBACK_INTENT]
    intent = parse.get("intent") or {}
    best = ranking[0] if ranking else intent
    name, confidence = best.get("name"), best.get("confidence")
    if name == "faq":
        response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        key = response.get("intent_response_key")
        if key:
            name = key
            confidence = min(float(confidence or 0), float(response.get("confidence") or 0))
    return name, (float(confidence) if confidence is not None else None)


def _confidence(parse: dict[str, Any]) -> float | None:
    intent = parse.get("intent") or {}
    value = intent.get("confidence")
    if value is None:
        return None
    if intent.get("name") == "faq":
        response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        if response.get("confidence") is not None:
            return min(float(value), float(response["confidence"]))
    return float(value)


def read_conversations(conversation_id: str, events: list[dict[str, Any]]) -> list[Conversation]:
    """The sessions of one sender that hold at least one user message, oldest first."""
    found: list[Conversation] = []
    current: Conversation | None = None
    last_message: Message | None = None
    pending: Offer | None = None  # the offer the user has not taken (yet)
    withdrawn = False  # its slot was reset: unless this turn took it, it was not taken
    with_advisor = in_form = False

    def settle(outcome: str) -> None:
        nonlocal pending, withdrawn
        if pending is not None:
            pending.outcome = outcome
        pending, withdrawn = None, False

    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            settle("declinee")
            current, last_message = None, None
            with_advisor = in_form = False
            continue
        if kind == "user":
            turn = transcripts.user_turn(event)
            if turn is None:
                continue
            if withdrawn:
                settle("declinee")
            if current is None:
                current = Conversation(conversation_id, turn.timestamp or 0.0)
                found.append(current)
            parse = event.get("parse_data") or {}
            predicted, predicted_confidence = _prediction(parse)
            last_message = Message(
                event_id=event.get("_id"), conversation_id=conversation_id,
                timestamp=turn.timestamp or 0.0, text=turn.text,
                intent=(parse.get("intent") or {}).get("name"), confidence=_confidence(parse),
                predicted=predicted, predicted_confidence=predicted_confidence,
                turn=len(current.turns), aside=with_advisor or in_form,
            )
            current.messages.append(last_message)
            current.turns.append(turn)
        elif current is None:
            continue
        elif kind == "bot":
            turn = transcripts.bot_turn(event)
            if turn is not None:
                current.turns.append(turn)
                if last_message is not None:
                    last_message.answer.append(turn.text)
                    action = (event.get("metadata") or {}).get("utter_action")
                    if action and action not in last_message.answer_actions:
                        last_message.answer_actions.append(action)
                    if action and action.startswith(names.FAQ_PREFIX):
                        # The vote action names an answer by its event's timestamp.
                        last_message.answer_ids.append(repr(event.get("timestamp")))
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == names.SLOT_OFFER:
                if value:
                    settle("declinee")
                    pending = Offer(float(event.get("timestamp") or 0), str(value), None)
                    current.offers.append(pending)
                elif pending is not None:
                    withdrawn = True
            elif name == names.SLOT_ESCALATION_REASON and pending is not None and pending.motif is None:
                pending.motif = value
            elif name == names.SLOT_HANDOFF:
                with_advisor = bool(value)
                if value and current.handoff_at is None:
                    current.handoff_at = float(event.get("timestamp") or 0)
                if value:
                    settle("transfert")
        elif kind == "active_loop":
            in_form = event.get("name") == SOLICITATION_FORM
            if in_form:
                if current.solicitation_at is None:
                    current.solicitation_at = float(event.get("timestamp") or 0)
                settle("sollicitation")
    settle("declinee")
    return found
