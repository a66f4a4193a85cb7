"""The application database: engine factory, transactions, tables (models.py), migrations.

SQLAlchemy 1.4 with the 2.0-style API. SQLite file by default, PostgreSQL through DATABASE_URL.
The schema belongs to the Alembic migrations in migrations/: `Database.session()` brings the
database to the latest revision on first use (once per process), never `create_all`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def make_engine(url: str) -> Engine:
    """An engine that never writes bound values (names, e-mails, SIRET) into error messages."""
    options: dict = {"future": True, "pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 30}
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:  # a DBAPI connection
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    return engine


class Database:
    """One application database: its engine, built on first use, and its transactions."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self._migrate = migrate
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    engine = make_engine(self.url)
                    if self._migrate:
                        from assistance.db.migrate import upgrade

                        upgrade(engine)
                    self._engine = engine
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on error."""
        with Session(self.engine, future=True) as session, session.begin():
            yield session

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
