"""Bring a database to the latest migration; every process calls it before its first query.

Several processes may start together (action server, desk, tests): PostgreSQL serialises them
with an advisory lock, SQLite with a lock file beside the database. A database created by
`create_all` before migrations existed is recognised and stamped at the first revision.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

HERE = Path(__file__).resolve().parent
ADVISORY_LOCK_KEY = 7_424_101  # any constant: only our migrations take it


def alembic_config() -> Config:
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE / "migrations"))
    return config


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _exclusive(engine: Engine):
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the missing migrations (nothing when the database is up to date)."""
    target = head() if revision == "head" else revision
    with engine.connect() as connection:
        if current(connection) == target:
            return
    with _exclusive(engine), engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        if current(connection) is None and inspect(connection).has_table("handoffs"):
            command.stamp(config, "0001")  # tables made by create_all, before migrations
        command.upgrade(config, revision)
