"""Rasa's SQL tracker store, with the latest session of recent conversations kept in memory.

Configured in endpoints.yml (`tracker_store: type: tracker_stores.cached_sql.CachedSQLTrackerStore`)
with the same keys as Rasa's `type: SQL`, plus `cache_size` (conversations kept, default 500).

On every turn Rasa's SQLTrackerStore reads the whole session back and deserialises every event
to rebuild the tracker, then counts the stored events again to find the new ones before saving.
This store writes the same rows to the same `events` table, but:
- `retrieve` reads the conversation's last row id and row count (one indexed query). When
  nothing else wrote to, or deleted from, the conversation since, it replays the events it
  already holds, as objects. Replaying does not
  change an event (EntitiesAdded, the one event that touches another, only adds what is missing),
  so the objects can be shared between turns.
- `save` of the tracker it handed out (or of a brand-new conversation) inserts the events added
  since, without counting. When another process wrote in between (possible only without a
  shared lock store), the events are still appended, where Rasa's count would drop them, and the
  conversation is read again from the database on the next turn.
- Anything else, such as a tracker it did not hand out, goes through Rasa's own code.
The database stays the single source of truth; the memory only saves reading it again.

Deleting rows is noticed too: the retention purge removes a conversation's oldest events while
its latest ones stay (the last id does not move, the count does), and erasing a conversation
removes them all (`scripts/privacy.py`, the desk's DELETE /api/conversations/{id}); the next
read then loads what is left, so purged or erased events are never served from memory.

The engine never writes bound values (what users typed) into error messages or logs:
`hide_parameters`, as the core's engines (assistance/db).

On SQLite (the embedded default) connections are pooled and the database runs in write-ahead-log
mode with synchronous=NORMAL: a commit survives the process dying, and only a power cut can lose
the last turns.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 500


# (last row id, number of rows) of a conversation: any insert or delete changes it.
Mark = tuple[int | None, int]
NOTHING_STORED: Mark = (None, 0)


@dataclass
class CachedSession:
    """What Rasa's query returns for a conversation's latest session, and where it stood.

    `mark` is the conversation's (last row id, row count) when it was read or written;
    `handed_out` the tracker `retrieve` returned from it, of which the first `stored` events are
    in the database.
    """

    events: list[Event]
    mark: Mark
    session_start: float | None
    handed_out: weakref.ref | None = field(default=None, repr=False)
    stored: int = 0

    def vouches_for(self, tracker: DialogueStateTracker) -> bool:
        if self.mark == NOTHING_STORED and not self.events:
            return True  # nothing was stored: every event of the tracker is new
        return self.handed_out is not None and self.handed_out() is tracker


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_size: int | str = DEFAULT_CACHE_SIZE, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Rasa's engine, built again with hide_parameters (the same options otherwise).
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            # SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool).
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False},
                hide_parameters=True,
            )
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        else:
            self.engine = sa.create_engine(url, hide_parameters=True, **create_engine_kwargs(url))
        self.sessionmaker.configure(bind=self.engine)
        self._events = self.SQLEvent.__table__
        self._cache: OrderedDict[str, CachedSession] = OrderedDict()
        self._cache_size = int(cache_size)

    # Reading ---------------------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.engine.connect() as connection:
            mark = self._mark(connection, sender_id)
        cached = self._cache.get(sender_id)
        if cached is None or cached.mark != mark:
            cached = self._load(sender_id, mark)
        self._cache.move_to_end(sender_id)
        if not cached.events or not self.domain:
            return None
        tracker = DialogueStateTracker.from_events(sender_id, list(cached.events), self.domain.slots)
        cached.handed_out, cached.stored = weakref.ref(tracker), len(cached.events)
        return tracker

    def _mark(self, connection: sa.engine.Connection, sender_id: str) -> Mark:
        table = self._events
        query = sa.select(sa.func.max(table.c.id), sa.func.count(table.c.id)).where(
            table.c.sender_id == sender_id
        )
        last_id, count = connection.execute(query).one()
        return last_id, int(count or 0)

    def _load(self, sender_id: str, mark: Mark) -> CachedSession:
        """Rasa's own query. `mark` is read before it: a write or a delete slipping in between
        makes the next read see another mark and load again."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        events = deserialise_events([json.loads(row.data) for row in rows])
        starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
        cached = CachedSession(events, mark, max(starts, default=None))
        self._cache[sender_id] = cached
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return cached

    # Writing ---------------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        cached = self._cache.get(sender_id)
        if cached is None or not cached.vouches_for(tracker):
            self._cache.pop(sender_id, None)
            await super().save(tracker)
            return

        added = list(tracker.events)[cached.stored :]
        if not added:
            return
        rows = [self._row(sender_id, event.as_dict()) for event in added]
        with self.engine.begin() as connection:
            conflict = self._mark(connection, sender_id) != cached.mark
            connection.execute(self._events.insert(), rows)
            mark = self._mark(connection, sender_id)
            session = self._session_after(cached, added, connection, sender_id)
        cached.handed_out, cached.stored = weakref.ref(tracker), len(tracker.events)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, added, sender_id)

        if conflict or session is None:
            self._cache.pop(sender_id, None)  # read it from the database next time
            return
        cached.events, cached.session_start = session
        cached.mark = mark

    def _session_after(
        self,
        cached: CachedSession,
        added: list[Event],
        connection: sa.engine.Connection,
        sender_id: str,
    ) -> tuple[list[Event], float | None] | None:
        """The latest session as Rasa's query will read it once `added` is stored, or None when
        only the database can tell. Rasa takes the rows from the last SessionStarted timestamp."""
        starts = [event.timestamp for event in added if isinstance(event, SessionStarted)]
        start = max([t for t in (*starts, cached.session_start) if t is not None], default=None)
        events = cached.events + added
        if start is None:
            return events, None
        session = [event for event in events if event.timestamp >= start]
        if starts:
            # Rows of earlier sessions are not in memory: make sure none is that recent.
            table = self._events
            count = sa.select(sa.func.count()).where(
                table.c.sender_id == sender_id, table.c.timestamp >= start
            )
            if connection.execute(count).scalar() != len(session):
                return None
        elif len(session) != len(events):
            return None  # an event dated before the session started: Rasa will leave it out
        return session, start

    @staticmethod
    def _row(sender_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """One `events` row, with the values SQLTrackerStore.save gives it."""
        return {
            "sender_id": sender_id,
            "type_name": data.get("event"),
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
