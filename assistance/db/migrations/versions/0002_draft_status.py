"""Drafts say `status`, like handoffs (the column was `statut`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_sollicitations_statut", table_name="sollicitations")
    with op.batch_alter_table("sollicitations") as batch:
        batch.alter_column("statut", new_column_name="status")
    op.create_index("ix_sollicitations_status", "sollicitations", ["status"])


def downgrade() -> None:
    op.drop_index("ix_sollicitations_status", table_name="sollicitations")
    with op.batch_alter_table("sollicitations") as batch:
        batch.alter_column("status", new_column_name="statut")
    op.create_index("ix_sollicitations_statut", "sollicitations", ["statut"])
