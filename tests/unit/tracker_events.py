"""Conversations written to a tracker store the way Rasa writes them (its `events` table), for
the workbench's tests."""

import json
from datetime import datetime, timezone

import sqlalchemy as sa

from assistance.training.tracker import EVENTS

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc).timestamp()  # a Tuesday, chat open


class Conversation:
    """Events of one sender as Rasa stores them."""

    def __init__(self, sender: str, start: float = T0) -> None:
        self.sender = sender
        self.clock = start
        self.events: list[dict] = [{"event": "session_started", "timestamp": self.tick()}]

    def tick(self) -> float:
        self.clock += 1.0
        return self.clock

    def user(self, text: str, intent: str, confidence: float = 0.95, topic: str | None = None,
             topic_confidence: float = 0.95, ranking: list | None = None) -> "Conversation":
        parse = {"intent": {"name": intent, "confidence": confidence},
                 "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
        if topic:
            parse["response_selector"] = {"faq": {"response": {
                "intent_response_key": f"faq/{topic}", "confidence": topic_confidence}}}
        self.events.append({"event": "user", "timestamp": self.tick(), "text": text, "parse_data": parse})
        return self

    def bot(self, text: str, action: str = "utter_x") -> "Conversation":
        self.events.append({"event": "bot", "timestamp": self.tick(), "text": text,
                            "metadata": {"utter_action": action}})
        return self

    def slot(self, name: str, value) -> "Conversation":
        self.events.append({"event": "slot", "timestamp": self.tick(), "name": name, "value": value})
        return self

    def offer(self, motif: str, kind: str = "conseiller") -> "Conversation":
        return self.bot("Voulez-vous lui parler ?").slot("offre_escalade", kind).slot("motif_escalade", motif)

    def accept_advisor(self) -> "Conversation":
        self.user("/affirmer", "affirmer")
        return self.slot("offre_escalade", None).slot("id_transfert", "1")

    def decline(self) -> "Conversation":
        self.user("non merci", "nier")
        return self.bot("Très bien").slot("offre_escalade", None)

    def faq(self, text: str, topic: str) -> "Conversation":
        return self.user(text, "faq", topic=topic).bot(f"Réponse {topic}", f"utter_faq/{topic}")

    def last_bot_timestamp(self) -> str:
        return repr(next(e for e in reversed(self.events) if e["event"] == "bot")["timestamp"])


def store(url: str, *conversations: Conversation) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for conversation in conversations:
            connection.execute(EVENTS.insert(), [
                {"sender_id": conversation.sender, "type_name": e["event"], "timestamp": e["timestamp"],
                 "intent_name": (e.get("parse_data") or {}).get("intent", {}).get("name"),
                 "action_name": e.get("name"), "data": json.dumps(e)}
                for e in conversation.events
            ])
    engine.dispose()
