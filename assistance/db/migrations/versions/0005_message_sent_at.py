"""Advisor messages are delivered when the user's client acknowledges them: `sent_at` says the
message went out once (into the conversation), `delivered` that the user's client received it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.add_column(sa.Column("sent_at", sa.DateTime(timezone=True)))
    # Messages marked delivered before acknowledgements existed went out then.
    op.execute("UPDATE handoff_messages SET sent_at = created_at WHERE delivered")


def downgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.drop_column("sent_at")
