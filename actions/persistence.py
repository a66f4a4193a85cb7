"""Application database: engine and transactions. The tables are in actions/models/.

SQLAlchemy 1.4 with the 2.0-style API. SQLite file by default, PostgreSQL through
DATABASE_URL. Nothing connects at import time: the engine is built on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base

from actions.settings import get_settings

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    import actions.models  # noqa: F401  (registers every table on Base)

    Base.metadata.create_all(engine)
    return engine


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on error."""
    with Session(get_engine(url), future=True) as session, session.begin():
        yield session
