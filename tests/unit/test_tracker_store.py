"""CachedSQLTrackerStore stores and returns exactly what Rasa's SQLTrackerStore would.

Each test plays the same conversation through both stores, each on its own SQLite file, and
compares the trackers they hand back and the rows they leave in the `events` table.
"""

from __future__ import annotations

import os
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

from assistance.tracker_events import TrackerEvents
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


# --- Deleted rows: retention and erasure (assistance/retention.py) -------------------------


def user_texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e["event"] == "user"]


async def test_events_purged_from_a_cached_session_are_not_served_from_memory(tmp_path, domain):
    path = tmp_path / "tracker.db"
    store = CachedSQLTrackerStore(domain, dialect="sqlite", db=str(path))
    await play(store, "alice", session_start_events() + turn_events("ancienne question", "saluer"))
    cutoff = time.time()
    time.sleep(0.01)
    await play(store, "alice", turn_events("question récente"))
    assert user_texts(await events_of(store, "alice")) == ["ancienne question", "question récente"]

    # The purge deletes the oldest rows of the session held in memory: its last row stays.
    removed = TrackerEvents(f"sqlite:///{path}").remove(before=cutoff)

    assert removed == 3 + 4
    assert user_texts(await events_of(store, "alice")) == ["question récente"]
    await play(store, "alice", turn_events("et ensuite ?"))
    assert user_texts(await events_of(store, "alice")) == ["question récente", "et ensuite ?"]
    assert len(rows(store)) == 4 + 4


async def test_an_erased_conversation_is_not_served_from_memory(tmp_path, domain):
    path = tmp_path / "tracker.db"
    store = CachedSQLTrackerStore(domain, dialect="sqlite", db=str(path))
    for sender in ("alice", "bob"):
        await play(store, sender, turn_events("jeanne.durand@exemple.fr", "saluer"))
        await store.retrieve(sender)  # cached

    assert TrackerEvents(f"sqlite:///{path}").remove(conversation_id="alice") == 4

    assert await store.retrieve("alice") is None
    assert user_texts(await events_of(store, "bob")) == ["jeanne.durand@exemple.fr"]
    await play(store, "alice", turn_events("bonjour", "saluer"))  # starts afresh
    assert user_texts(await events_of(store, "alice")) == ["bonjour"]


def test_the_engine_never_writes_what_users_typed_into_errors(tmp_path, domain):
    store = CachedSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    assert store.engine.hide_parameters is True
    with pytest.raises(sa.exc.IntegrityError) as raised:
        with store.engine.begin() as connection:
            row = {"sender_id": None, "data": "SIRET 73282932000074"}
            connection.execute(store.SQLEvent.__table__.insert(), row)
    assert "73282932000074" not in str(raised.value)


def test_the_postgresql_engine_hides_parameters_too(domain):
    url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        sa.create_engine(url).connect().close()
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL here")
    parsed = sa.engine.make_url(url)
    store = CachedSQLTrackerStore(
        domain, dialect="postgresql", url=parsed.host, port=parsed.port, db=parsed.database,
        username=parsed.username, password=parsed.password,
    )
    assert store.engine.hide_parameters is True and store.engine.dialect.name == "postgresql"
    store.engine.dispose()
