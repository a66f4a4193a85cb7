"""Rasa's conversations, read straight from the tracker store's `events` table, read-only.

The workbench reads what Rasa wrote (tracker_stores/cached_sql.py keeps Rasa's table as it is)
with SQLAlchemy Core, never through Rasa's code: the core stays free of Rasa, and the desk never
loads TensorFlow. The connection cannot write: SQLite is opened with `mode=ro`, PostgreSQL
sessions are read-only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from assistance.tracker_events import EVENTS

__all__ = ["EVENTS", "TrackerReader"]
BATCH = 500  # conversations per query


class TrackerReader:
    """The tracker store of one Rasa installation, read-only; the engine is built on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _sqlite_path(self) -> Path | None:
        url = make_url(self.url)
        return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                path = self._sqlite_path()
                if path is not None:
                    self._engine = sa.create_engine(
                        f"sqlite:///file:{path}?mode=ro&uri=true", future=True,
                        connect_args={"timeout": 30}, hide_parameters=True,
                    )
                else:
                    self._engine = sa.create_engine(
                        self.url, future=True, pool_pre_ping=True, hide_parameters=True,
                        connect_args={"options": "-c default_transaction_read_only=on"},
                    )
        return self._engine

    def _ready(self) -> bool:
        """False before Rasa stored its first conversation (no file, or no table yet)."""
        path = self._sqlite_path()
        if path is not None and not path.exists():
            return False
        return sa.inspect(self.engine).has_table("events")

    def senders(self, since: datetime | None = None, until: datetime | None = None) -> list[str]:
        """Conversations with a user message in [since, until)."""
        if not self._ready():
            return []
        query = sa.select(EVENTS.c.sender_id).where(EVENTS.c.type_name == "user").distinct()
        if since is not None:
            query = query.where(EVENTS.c.timestamp >= since.timestamp())
        if until is not None:
            query = query.where(EVENTS.c.timestamp < until.timestamp())
        with self.engine.connect() as connection:
            return sorted(row[0] for row in connection.execute(query))

    def events(
        self, senders: Iterable[str], until: datetime | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """Every event of these conversations (before `until`), oldest first, as Rasa's JSON
        dicts with the row id under `_id`."""
        wanted = list(dict.fromkeys(senders))
        found: dict[str, list[dict[str, Any]]] = {sender: [] for sender in wanted}
        if not wanted or not self._ready():
            return found
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), BATCH):
                query = (
                    sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.data)
                    .where(EVENTS.c.sender_id.in_(wanted[start:start + BATCH]))
                    .order_by(EVENTS.c.id)
                )
                if until is not None:
                    query = query.where(EVENTS.c.timestamp < until.timestamp())
                for row_id, sender, data in connection.execute(query):
                    try:
                        event = json.loads(data)
                    except (TypeError, ValueError):
                        continue
                    event["_id"] = row_id
                    found[sender].append(event)
        return found

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
