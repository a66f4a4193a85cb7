"""CachedSQLTrackerStore stores and returns exactly what Rasa's SQLTrackerStore would.

Each test plays the same conversation through both stores, each on its own SQLite file, and
compares the trackers they hand back and the rows they leave in the `events` table.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from tracker_stores.cached_sql import CachedSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def stores(tmp_path, domain):
    return (
        SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "rasa.db")),
        CachedSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "cached.db")),
    )


def turn_events(text: str, intent: str = "faq") -> list:
    return [
        UserUttered(text, {"name": intent, "confidence": 0.9}, parse_data={"text": text}),
        ActionExecuted("utter_faq"),
        BotUttered(f"réponse à « {text} »", {"buttons": [{"title": "👍", "payload": "/vote_positif"}]}),
        ActionExecuted("action_listen"),
    ]


def session_start_events() -> list:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


async def play(store, sender: str, events: list) -> None:
    """What Rasa's processor does on a turn: retrieve (or create), append events, save."""
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, store.domain.slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def rows(store) -> list[tuple]:
    table = store.SQLEvent.__table__
    columns = [table.c.sender_id, table.c.type_name, table.c.intent_name, table.c.action_name]
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(*columns).order_by(table.c.id))]


async def events_of(store, sender: str) -> list[dict]:
    tracker = await store.retrieve(sender)
    return [] if tracker is None else [event.as_dict() for event in tracker.events]


async def test_a_conversation_is_stored_and_read_back_like_rasa_does(stores):
    rasa_store, cached_store = stores
    script = [("alice", session_start_events())]
    for text in ["comment créer un compte ?", "ma facture est rejetée", "délai de paiement ?"]:
        script += [("alice", turn_events(text)), ("bob", turn_events(text))]
    for store in stores:
        for sender, events in script:
            await play(store, sender, events)
    assert rows(cached_store) == rows(rasa_store)
    assert len(rows(cached_store)) == 3 + 3 * 4 * 2
    for sender in ("alice", "bob"):
        assert await events_of(cached_store, sender) == await events_of(rasa_store, sender)


async def test_reading_a_conversation_twice_does_not_store_it_twice(stores):
    _, cached_store = stores
    await play(cached_store, "alice", turn_events("bonjour", "saluer"))
    first = await cached_store.retrieve("alice")
    second = await cached_store.retrieve("alice")
    second.update(SlotSet("nb_incompris", 1.0))
    await cached_store.save(second)
    await cached_store.save(first)  # an older copy, not handed out any more: Rasa's own path
    assert len(rows(cached_store)) == 4 + 1


async def test_a_new_session_hides_the_previous_one(stores):
    rasa_store, cached_store = stores
    script = [session_start_events() + turn_events("bonjour", "saluer")]
    script.append(turn_events("comment créer un compte ?"))
    time.sleep(0.01)  # SessionStarted timestamps differ, as they do between sessions
    script += [session_start_events(), turn_events("et mon mot de passe ?")]
    for store in stores:
        for events in script:
            await play(store, "alice", events)
    expected = await events_of(rasa_store, "alice")
    assert await events_of(cached_store, "alice") == expected
    assert [e["text"] for e in expected if e["event"] == "user"] == ["et mon mot de passe ?"]
    # The new session is served from memory, not read again.
    assert [e.as_dict() for e in cached_store._cache["alice"].events] == expected


async def test_a_tracker_saved_several_times_in_a_turn_is_stored_once(stores):
    rasa_store, cached_store = stores
    script = session_start_events() + turn_events("bonjour", "saluer")
    for store in stores:
        tracker = DialogueStateTracker("alice", store.domain.slots)
        for event in script[:3]:
            tracker.update(event)
        await store.save(tracker)
        for event in script[3:5]:
            tracker.update(event)
        await store.save(tracker)
        await store.save(tracker)
        for event in script[5:]:
            tracker.update(event)
        await store.save(tracker)
    assert rows(cached_store) == rows(rasa_store)
    assert await events_of(cached_store, "alice") == await events_of(rasa_store, "alice")


@pytest.fixture
def one_database(tmp_path, domain):
    """Our store and Rasa's, as two processes writing to the same database."""
    path = str(tmp_path / "shared.db")
    return (
        CachedSQLTrackerStore(domain, dialect="sqlite", db=path),
        SQLTrackerStore(domain, dialect="sqlite", db=path),
    )


async def test_a_write_by_another_process_is_seen_on_the_next_turn(one_database):
    ours, theirs = one_database
    await play(ours, "alice", turn_events("bonjour", "saluer"))
    await ours.retrieve("alice")  # cached now
    await play(theirs, "alice", turn_events("une question posée ailleurs"))
    await play(ours, "alice", turn_events("et ici ?"))
    texts = [e["text"] for e in await events_of(ours, "alice") if e["event"] == "user"]
    assert texts == ["bonjour", "une question posée ailleurs", "et ici ?"]
    assert await events_of(ours, "alice") == await events_of(theirs, "alice")


async def test_a_write_by_another_process_between_read_and_save_is_not_lost(one_database):
    ours, theirs = one_database
    await play(ours, "alice", turn_events("bonjour", "saluer"))
    tracker = await ours.retrieve("alice")
    await play(theirs, "alice", turn_events("entre-temps"))
    for event in turn_events("et ici ?"):
        tracker.update(event)
    await ours.save(tracker)  # Rasa's count-based save would drop « et ici ? » here
    texts = [e["text"] for e in await events_of(ours, "alice") if e["event"] == "user"]
    assert texts == ["bonjour", "entre-temps", "et ici ?"]


async def test_the_cache_keeps_only_the_most_recent_conversations(tmp_path, domain):
    store = CachedSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "c.db"), cache_size=2)
    for sender in ("a", "b", "c"):
        await play(store, sender, turn_events("bonjour", "saluer"))
        await store.retrieve(sender)
    assert list(store._cache) == ["b", "c"]
    assert [e["event"] for e in await events_of(store, "a")][0] == "user"


async def test_an_unknown_conversation_is_none(stores):
    for store in stores:
        assert await store.retrieve("personne") is None
