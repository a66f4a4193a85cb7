"""Alembic environment: the application database of assistance/settings.py, or the connection
handed over by assistance/db/migrate.py."""

from alembic import context
from sqlalchemy.engine import Connection

from assistance.db import (
    Base,
    make_engine,
    models,  # noqa: F401  (registers the tables on Base)
)
from assistance.settings import get_settings

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
