"""The tables as the first releases created them (before migrations existed).

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("motif", sa.String(50)),
        sa.Column("profil", sa.String(50)),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(50)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("queue_position", sa.Integer()),
        sa.Column("advisor_login", sa.String(100)),
        sa.Column("advisor_name", sa.String(100)),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("end_reason", sa.String(50)),
        sa.Column("rating", sa.Integer()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_status", "handoffs", ["status"])
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoffs.id"), nullable=False),
        sa.Column("author", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_handoff_messages_handoff_id", "handoff_messages", ["handoff_id"])
    op.create_table(
        "sollicitations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(32)),
        sa.Column("statut", sa.String(20), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("connecte", sa.Boolean(), nullable=False),
        sa.Column("compte_identifiant", sa.String(255)),
        sa.Column("profil", sa.String(50)),
        sa.Column("motif_escalade", sa.String(50)),
        sa.Column("user_agent", sa.Text()),
        sa.Column("categorie", sa.String(100)),
        sa.Column("categorie_libelle", sa.String(255)),
        sa.Column("sous_categorie", sa.String(100)),
        sa.Column("sous_categorie_libelle", sa.String(255)),
        sa.Column("libelle_portail", sa.Boolean(), nullable=False),
        sa.Column("destination", sa.String(50)),
        sa.Column("destination_libelle", sa.String(255)),
        sa.Column("structure", sa.Text()),
        sa.Column("siret", sa.String(14)),
        sa.Column("identifiant", sa.Text()),
        sa.Column("nom", sa.Text()),
        sa.Column("email", sa.Text()),
        sa.Column("telephone", sa.String(40)),
        sa.Column("description", sa.Text()),
        sa.Column("references_dossier", sa.Text()),
        sa.Column("etapes", sa.Text()),
        sa.Column("message_erreur", sa.Text()),
        sa.Column("navigateur", sa.Text()),
        sa.Column("transcription", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sollicitations_reference", "sollicitations", ["reference"], unique=True)
    op.create_index("ix_sollicitations_statut", "sollicitations", ["statut"])
    op.create_index("ix_sollicitations_conversation_id", "sollicitations", ["conversation_id"])
    op.create_index(
        "ix_sollicitations_compte_identifiant", "sollicitations", ["compte_identifiant"]
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(100)),
        sa.Column("user_message", sa.Text()),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("profil", sa.String(50)),
        sa.Column("connecte", sa.Boolean()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "answer_id", name="uq_vote_answer"),
    )
    op.create_index("ix_votes_conversation_id", "votes", ["conversation_id"])


def downgrade() -> None:
    for table in ("votes", "sollicitations", "handoff_messages", "handoffs"):
        op.drop_table(table)
