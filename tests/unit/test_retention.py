"""Retention and erasure (assistance/retention.py) on real SQLite databases: the application
database of the `core` fixture and a tracker database with Rasa's own `events` table."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from assistance import handoffs, retention
from assistance.db import utcnow
from assistance.db.models import Handoff, HandoffMessage, Sollicitation, Vote
from assistance.settings import Retention, Settings
from assistance.solicitations.draft import DraftStatus
from assistance.solicitations.repository import save_draft
from assistance.votes import record_vote

DAY = 86_400


@pytest.fixture
def events(core):
    """Rasa's `events` table in the core's tracker database (Rasa creates it the same way)."""
    engine = sa.create_engine(core.settings.tracker_database_url)
    SQLTrackerStore.Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def add_events(engine, sender: str, days_ago: float, count: int = 2) -> None:
    table = SQLTrackerStore.SQLEvent.__table__
    moment = time.time() - days_ago * DAY
    rows = [
        {"sender_id": sender, "type_name": "user", "timestamp": moment + i,
         "data": json.dumps({"event": "user", "text": "jeanne.durand@exemple.fr"})}
        for i in range(count)
    ]
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)


def senders(engine) -> list[str]:
    table = SQLTrackerStore.SQLEvent.__table__
    with engine.connect() as connection:
        return sorted(connection.scalars(sa.select(table.c.sender_id)))


def backdate(core, model, row_id: int, days: float, *columns: str) -> None:
    moment = utcnow() - timedelta(days=days)
    with core.db.session() as session:
        session.execute(sa.update(model).where(model.id == row_id).values({c: moment for c in columns}))


def a_handoff(core, conversation_id: str, days_ago: float = 0, ended: bool = True) -> int:
    handoff, _ = handoffs.create_handoff(
        core.db, conversation_id=conversation_id, motif="demande_directe", profil="fournisseur",
        context={"siret": "73282932000074"}, channel="rest",
        transcript=[{"auteur": "Utilisateur", "texte": "Je suis Jeanne Durand"}],
    )
    handoffs.add_user_message(core.db, handoff.id, "Mon numéro : 06 12 34 56 78")
    handoffs.add_user_message(core.db, handoff.id, "Merci")
    columns = ("created_at", "ended_at") if ended else ("created_at",)
    if ended:
        with core.db.session() as session:
            session.get(Handoff, handoff.id).status = "cloturee"
    backdate(core, Handoff, handoff.id, days_ago, *columns)
    return handoff.id


def a_draft(core, conversation_id: str, status: DraftStatus, days_ago: float = 0) -> str:
    reference = save_draft(
        core.db, {"nom": "Jeanne Durand", "email": "jeanne.durand@exemple.fr"}, status=status,
        conversation_id=conversation_id, year=2026,
    )
    with core.db.session() as session:
        row = session.scalars(sa.select(Sollicitation).where(Sollicitation.reference == reference)).one()
        row_id = row.id
    backdate(core, Sollicitation, row_id, days_ago, "created_at", "updated_at")
    return reference


def a_vote(core, conversation_id: str, days_ago: float = 0) -> None:
    record_vote(
        core.db, conversation_id=conversation_id, answer_id=f"r-{time.time_ns()}", value=-1,
        topic="faq/creer_compte", user_message="je suis Jeanne Durand", profil=None, connecte=False,
    )
    with core.db.session() as session:
        row_id = session.scalars(sa.select(Vote.id).order_by(Vote.id.desc())).first()
    backdate(core, Vote, row_id, days_ago, "created_at")


def counts(core) -> dict[str, int]:
    with core.db.session() as session:
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Handoff, HandoffMessage, Sollicitation, Vote)
        }


def test_the_purge_deletes_each_kind_after_its_own_retention(core, events):
    # Defaults: events 30 days, handoffs 90, ready drafts 30, unfinished drafts 7, votes 180.
    add_events(events, "ancienne", days_ago=31)
    add_events(events, "recente", days_ago=29)
    a_handoff(core, "ancienne", days_ago=91)
    a_handoff(core, "recente", days_ago=89)
    a_handoff(core, "en-cours-oubliee", days_ago=91, ended=False)  # never ended: from its creation
    a_draft(core, "ancienne", DraftStatus.READY, days_ago=31)
    kept_ready = a_draft(core, "recente", DraftStatus.READY, days_ago=8)
    a_draft(core, "recente", DraftStatus.DRAFT, days_ago=8)  # unfinished: 7 days only
    a_draft(core, "recente", DraftStatus.DISCARDED, days_ago=8)
    kept_unfinished = a_draft(core, "recente", DraftStatus.DRAFT, days_ago=6)
    a_vote(core, "ancienne", days_ago=181)
    a_vote(core, "recente", days_ago=179)
    expected = {
        "events": 2, "handoffs": 2, "handoff_messages": 4, "ready_drafts": 1, "unfinished_drafts": 2,
        "votes": 1,
    }

    assert retention.purge(core, dry_run=True).as_dict() == expected
    assert counts(core) == {"handoffs": 3, "handoff_messages": 6, "sollicitations": 5, "votes": 2}
    assert retention.purge(core).as_dict() == expected

    assert senders(events) == ["recente", "recente"]
    assert counts(core) == {"handoffs": 1, "handoff_messages": 2, "sollicitations": 2, "votes": 1}
    with core.db.session() as session:
        left = set(session.scalars(sa.select(Sollicitation.reference)))
        assert left == {kept_ready, kept_unfinished}
        assert set(session.scalars(sa.select(Handoff.conversation_id))) == {"recente"}
    assert retention.purge(core).total == 0  # nothing more to do


def test_retention_is_set_per_kind(core, events):
    core.settings = Settings.from_env({
        "DATABASE_URL": core.settings.database_url, "TRACKER_DB": str(events.url.database),
        "RETENTION_EVENTS_DAYS": "2", "RETENTION_VOTES_DAYS": "1",
    })
    add_events(events, "c", days_ago=3)
    a_vote(core, "c", days_ago=1.5)
    assert retention.purge(core).as_dict() == {
        "events": 2, "handoffs": 0, "handoff_messages": 0, "ready_drafts": 0, "unfinished_drafts": 0,
        "votes": 1,
    }


@pytest.mark.parametrize("value", ["0", "-3", "trente"])
def test_a_retention_must_be_a_positive_number_of_days(value):
    with pytest.raises(ValueError):
        Settings.from_env({"RETENTION_HANDOFFS_DAYS": value})


def test_defaults_are_documented_and_shorter_for_unfinished_drafts():
    defaults = Settings.from_env({}).retention
    assert defaults == Retention(
        events_days=30, handoffs_days=90, ready_drafts_days=30, unfinished_drafts_days=7, votes_days=180,
    )
    assert defaults.unfinished_drafts_days < defaults.ready_drafts_days


def test_erasure_deletes_one_conversation_everywhere_and_nothing_else(core, events):
    for conversation in ("a-effacer", "autre"):
        add_events(events, conversation, days_ago=0, count=3)
        a_handoff(core, conversation)
        a_draft(core, conversation, DraftStatus.READY)
        a_draft(core, conversation, DraftStatus.DRAFT)
        a_vote(core, conversation)

    assert retention.erase(core, "a-effacer", dry_run=True).total == 3 + 1 + 2 + 1 + 1 + 1
    removed = retention.erase(core, "a-effacer")

    assert removed.as_dict() == {
        "events": 3, "handoffs": 1, "handoff_messages": 2, "ready_drafts": 1, "unfinished_drafts": 1,
        "votes": 1,
    }
    assert senders(events) == ["autre"] * 3
    assert counts(core) == {"handoffs": 1, "handoff_messages": 2, "sollicitations": 2, "votes": 1}
    assert retention.erase(core, "a-effacer").total == 0
    assert retention.erase(core, "jamais-vue").total == 0


def test_without_a_tracker_database_nothing_is_half_done(core):
    core.tracker = None
    with pytest.raises(retention.NoTrackerDatabase):
        retention.purge(core)


def test_a_tracker_database_rasa_never_created_counts_zero_and_stays_absent(core, tmp_path):
    assert retention.erase(core, "x").events == 0
    assert not (tmp_path / "tracker.db").exists()


def test_the_tracker_database_is_the_one_the_rasa_server_is_given(tmp_path):
    sqlite = Settings.from_env({"TRACKER_DB": str(tmp_path / "t.db")})
    assert sqlite.tracker_database_url == f"sqlite:///{tmp_path / 't.db'}"
    postgres = Settings.from_env({
        "ENDPOINTS_FILE": "endpoints.prod.yml", "POSTGRES_HOST": "db.interne", "POSTGRES_PORT": "5433",
        "POSTGRES_DB": "claudia", "POSTGRES_USER": "rasa", "POSTGRES_PASSWORD": "s3cr@t",
    })
    assert postgres.tracker_database_url == "postgresql://rasa:s3cr%40t@db.interne:5433/claudia"
    elsewhere = tmp_path / "endpoints.yml"
    elsewhere.write_text("tracker_store:\n  type: redis\n", encoding="utf-8")
    assert Settings.from_env({"ENDPOINTS_FILE": str(elsewhere)}).tracker_database_url is None
