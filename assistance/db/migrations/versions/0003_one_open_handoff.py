"""At most one open handoff per conversation (a partial unique index), and the client's key to
limit how many handoffs one client opens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('en_attente', 'en_cours')")


def upgrade() -> None:
    # Older databases may hold several open handoffs of one conversation: keep the newest open.
    op.execute(
        "UPDATE handoffs SET status = 'abandonnee', end_reason = 'doublon' "
        "WHERE status IN ('en_attente', 'en_cours') AND id NOT IN ("
        "SELECT MAX(id) FROM handoffs WHERE status IN ('en_attente', 'en_cours') "
        "GROUP BY conversation_id)"
    )
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("client_key", sa.String(32)))
    op.create_index("ix_handoffs_client_key", "handoffs", ["client_key"])
    op.create_index(
        "ux_handoffs_open_conversation", "handoffs", ["conversation_id"], unique=True,
        sqlite_where=OPEN, postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ux_handoffs_open_conversation", table_name="handoffs")
    op.drop_index("ix_handoffs_client_key", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("client_key")
