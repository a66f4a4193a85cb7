"""The desk's audit log, and advisor messages that a retry cannot duplicate.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100)),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("handoff_id", sa.Integer()),
        sa.Column("client_key", sa.String(32)),
    )
    op.create_index("ix_audit_events_created_at", "audit_events", ["created_at"])
    with op.batch_alter_table("handoff_messages") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(64)))
        batch.create_unique_constraint("uq_handoff_message_key", ["handoff_id", "idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.drop_constraint("uq_handoff_message_key", type_="unique")
        batch.drop_column("idempotency_key")
    op.drop_index("ix_audit_events_created_at", table_name="audit_events")
    op.drop_table("audit_events")
