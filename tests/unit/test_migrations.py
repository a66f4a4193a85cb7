"""The schema belongs to the migrations: applying them gives exactly the tables of the models,
and a database created before migrations existed is taken over without losing a row."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistance.db import (
    Base,
    Database,
    make_engine,
    models,  # noqa: F401  (registers the tables)
)
from assistance.db.migrate import head, upgrade


def differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_migrations_build_the_tables_of_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    upgrade(engine)
    assert differences(engine) == []
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head()
    upgrade(engine)  # nothing to do the second time


def test_a_database_made_before_migrations_is_upgraded_with_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")  # the tables as `create_all` made them, then forget the revision
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE alembic_version"))
        connection.execute(sa.text(
            "INSERT INTO sollicitations (reference, statut, conversation_id, connecte, libelle_portail,"
            " created_at, updated_at) VALUES ('SOL-2026-000001', 'prete', 'c', 0, 0, '2026-01-01',"
            " '2026-01-01')"
        ))
    engine.dispose()
    db = Database(url)
    with db.session() as session:
        status = session.scalar(sa.select(models.Sollicitation.status))
    assert status == "prete"
    assert differences(db.engine) == []
