"""The trainers' inbox: real messages worth a look, grouped, most frequent first.

A message comes in for one or more of these reasons (`kinds`):
    incompris         the NLU fell back (nlu_fallback)
    hors_perimetre    understood as out of scope
    vote_negatif      the FAQ answer it got was rated 👎 (votes table)
    confiance_faible  answered, but with a confidence below SEUIL_CONFIANCE_FAIBLE
    transfert         the last question before the user was queued for an advisor
    sollicitation     the last question before the solicitation form ran
Messages are read from the tracker store (tracker.py) and the application database (votes);
near-identical ones are grouped (text.py); those a trainer already decided on are left out.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from assistance import names
from assistance.db import Database
from assistance.training.conversations import Conversation, Message, find_answer, read_conversations
from assistance.training.reviews import negative_votes
from assistance.training.text import group, normalise
from assistance.training.tracker import TrackerReader
from assistance.transcripts import Turn

KINDS = ("incompris", "hors_perimetre", "vote_negatif", "confiance_faible", "transfert", "sollicitation")
MAX_OCCURRENCES_SHOWN = 10


@dataclass
class Occurrence:
    """One time a user sent the message, with the turns around it."""

    message: Message
    kinds: set[str]
    context: list[Turn]
    vote_id: int | None = None
    topic: str | None = None  # the FAQ topic it was answered with (or the vote's)

    @property
    def timestamp(self) -> float:
        return self.message.timestamp


@dataclass
class InboxItem:
    key: str  # stable id of the group: a hash of its leading normalised text
    text: str  # the most frequent wording
    normalized: str
    occurrences: list[Occurrence]
    members: list[str] = field(default_factory=list)  # every normalised text in the group

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def kinds(self) -> list[str]:
        found = {kind for o in self.occurrences for kind in o.kinds}
        return [kind for kind in KINDS if kind in found]

    @property
    def predicted(self) -> str | None:
        guesses = Counter(o.message.predicted for o in self.occurrences if o.message.predicted)
        return guesses.most_common(1)[0][0] if guesses else None

    @property
    def confidence(self) -> float | None:
        values = [o.message.predicted_confidence for o in self.occurrences
                  if o.message.predicted_confidence is not None]
        return min(values) if values else None

    @property
    def topics(self) -> list[str]:
        return sorted({o.topic for o in self.occurrences if o.topic})

    @property
    def first_seen(self) -> float:
        return min(o.timestamp for o in self.occurrences)

    @property
    def last_seen(self) -> float:
        return max(o.timestamp for o in self.occurrences)

    def as_json(self) -> dict[str, Any]:
        shown = sorted(self.occurrences, key=lambda o: -o.timestamp)[:MAX_OCCURRENCES_SHOWN]
        return {
            "key": self.key,
            "text": self.text,
            "normalized": self.normalized,
            "members": self.members,
            "wordings": sorted({o.message.text for o in self.occurrences})[:10],
            "count": self.count,
            "kinds": self.kinds,
            "predicted": self.predicted,
            "confidence": self.confidence,
            "topics": self.topics,
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "occurrences": [_occurrence_json(o) for o in shown],
            "sources": [
                {"conversation_id": o.message.conversation_id, "event_id": o.message.event_id}
                for o in self.occurrences
            ],
        }


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    kinds: tuple[str, ...] = ()  # empty: every kind
    topic: str | None = None  # an FAQ topic (creer_compte) or an intent
    max_confidence: float | None = None
    limit: int = 200


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def _occurrence_json(occurrence: Occurrence) -> dict[str, Any]:
    message = occurrence.message
    return {
        "conversation_id": message.conversation_id,
        "event_id": message.event_id,
        "at": _iso(message.timestamp),
        "text": message.text,
        "kinds": [kind for kind in KINDS if kind in occurrence.kinds],
        "intent": message.intent,
        "predicted": message.predicted,
        "confidence": message.predicted_confidence,
        "answer": message.answer,
        "vote_id": occurrence.vote_id,
        "topic": occurrence.topic,
        "context": [
            {"author": t.author, "text": t.text, "current": t.timestamp == message.timestamp
             and t.text == message.text}
            for t in occurrence.context
        ],
    }


def occurrences(
    tracker: TrackerReader, db: Database, filters: Filters, low_confidence: float
) -> list[Occurrence]:
    """Every message of the period worth a trainer's look, with why."""
    senders = tracker.senders(filters.since, filters.until)
    votes = negative_votes(db, since=filters.since, until=filters.until)
    senders = list(dict.fromkeys([*senders, *(v.conversation_id for v in votes)]))
    by_sender = {
        sender: read_conversations(sender, events)
        for sender, events in tracker.events(senders).items()
    }
    found: dict[tuple[str, int | None, float], Occurrence] = {}

    def add(conversation: Conversation, message: Message, kind: str, **extra: Any) -> Occurrence:
        key = (message.conversation_id, message.event_id, message.timestamp)
        occurrence = found.get(key)
        if occurrence is None:
            occurrence = found[key] = Occurrence(
                message, set(), conversation.context(message), topic=message.faq_topic
            )
        occurrence.kinds.add(kind)
        for name, value in extra.items():
            setattr(occurrence, name, value)
        return occurrence

    since = filters.since.timestamp() if filters.since else None
    until = filters.until.timestamp() if filters.until else None

    def in_period(timestamp: float) -> bool:
        return (since is None or timestamp >= since) and (until is None or timestamp < until)

    for conversations in by_sender.values():
        for conversation in conversations:
            for message in conversation.typed:
                if not in_period(message.timestamp):
                    continue
                if message.misunderstood:
                    add(conversation, message, "incompris" if message.intent == names.FALLBACK_INTENT
                        else "hors_perimetre")
                elif message.confidence is not None and message.confidence < low_confidence:
                    add(conversation, message, "confiance_faible")
            for kind, moment in (("transfert", conversation.handoff_at),
                                 ("sollicitation", conversation.solicitation_at)):
                if moment is not None and in_period(moment):
                    question = conversation.question_before(moment)
                    if question is not None:
                        add(conversation, question, kind)
    for vote in votes:
        match = find_answer(by_sender.get(vote.conversation_id, []), vote.answer_id)
        if match is not None:
            add(*match, "vote_negatif", vote_id=vote.id, topic=vote.topic)
    return sorted(found.values(), key=lambda o: o.timestamp)


def _wanted(occurrence: Occurrence, filters: Filters) -> bool:
    if filters.kinds and not occurrence.kinds & set(filters.kinds):
        return False
    if filters.topic:
        topic = filters.topic.removeprefix("faq/")
        predicted = (occurrence.message.predicted or "").removeprefix("faq/")
        if topic not in (occurrence.topic, predicted):
            return False
    if filters.max_confidence is not None:
        confidence = occurrence.message.predicted_confidence
        if confidence is not None and confidence > filters.max_confidence:
            return False
    return True


def item_key(normalized: str) -> str:
    return hashlib.sha1(normalized.encode()).hexdigest()[:16]


def build_inbox(
    found: list[Occurrence], filters: Filters, *, decided: set[str], similarity: float
) -> list[InboxItem]:
    """Group the occurrences not yet decided on; most frequent first, then most recent."""
    kept = [
        o for o in found if normalise(o.message.text) not in decided and normalise(o.message.text)
        and _wanted(o, filters)
    ]
    items = []
    for members in group(kept, key=lambda o: o.message.text, threshold=similarity):
        texts = Counter(normalise(o.message.text) for o in members)
        wordings = Counter(o.message.text for o in members)
        leader = texts.most_common(1)[0][0]
        items.append(InboxItem(
            key=item_key(leader), text=wordings.most_common(1)[0][0], normalized=leader,
            occurrences=members, members=sorted(texts),
        ))
    items.sort(key=lambda item: (-item.count, -item.last_seen))
    return items[: filters.limit]
