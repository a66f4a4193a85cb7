"""Rasa's `events` table, reached from the core to delete what retention and erasure remove.

The Rasa server's tracker store (tracker_stores/cached_sql.py, Rasa's SQLTrackerStore) owns the
table and writes to it; the core only counts and deletes rows, with SQLAlchemy Core on the few
columns it needs, in the database named by the Rasa server's endpoints file
(Settings.tracker_database_url). The store checks a conversation's last row id and row count on
every read, so the Rasa server never serves from memory what was deleted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Engine, make_url

from assistance.db import Database

# The columns of Rasa's SQLTrackerStore.SQLEvent (rasa/core/tracker_store.py): the workbench
# reads them (assistance/training/tracker.py); retention and erasure delete rows.
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class TrackerEvents:
    """The tracker database's events: engine built on first use, never the table's schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._database = Database(url, migrate=False)  # Rasa owns that schema, not our migrations

    @property
    def engine(self) -> Engine:
        return self._database.engine

    def _where(self, *, conversation_id: str | None, before: float | None) -> list[Any]:
        conditions = []
        if conversation_id is not None:
            conditions.append(EVENTS.c.sender_id == conversation_id)
        if before is not None:
            conditions.append(EVENTS.c.timestamp < before)
        if not conditions:
            raise ValueError("refusing to touch every event: give a conversation or a date")
        return conditions

    def remove(
        self, *, conversation_id: str | None = None, before: float | None = None, dry_run: bool = False
    ) -> int:
        """Delete (or with `dry_run` only count) the events of one conversation and/or stored
        before a Unix time; how many. No table yet (Rasa never ran): 0."""
        conditions = self._where(conversation_id=conversation_id, before=before)
        if self._missing_sqlite_file():
            return 0
        with self.engine.begin() as connection:
            if not inspect(connection).has_table(EVENTS.name):
                return 0
            if dry_run:
                return int(connection.scalar(select(func.count()).select_from(EVENTS).where(*conditions)))
            return connection.execute(delete(EVENTS).where(*conditions)).rowcount

    def _missing_sqlite_file(self) -> bool:
        """An SQLite tracker database not created yet (connecting would create it empty)."""
        url = make_url(self.url)
        return (
            url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            and not Path(url.database).exists()
        )

    def count(self, conversation_id: str) -> int:
        return self.remove(conversation_id=conversation_id, dry_run=True)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
