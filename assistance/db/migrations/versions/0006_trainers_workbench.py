"""The trainers' workbench: decisions on the inbox, reviews of 👎 answers, answer edits,
retraining runs and model activations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(40)),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("trainer_login", sa.String(100), nullable=False),
        sa.Column("base_model", sa.Text()),
        sa.Column("model_path", sa.Text()),
        sa.Column("finetuned", sa.Boolean(), nullable=False),
        sa.Column("probes", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON()),
        sa.Column("gate_passed", sa.Boolean()),
        sa.Column("error", sa.Text()),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_training_runs_status", "training_runs", ["status"])
    op.create_table(
        "training_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("intent", sa.String(150)),
        sa.Column("predicted", sa.String(150)),
        sa.Column("confidence", sa.Float()),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("target_file", sa.String(255)),
        sa.Column("trainer_login", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_run_id", sa.Integer(), sa.ForeignKey("training_runs.id")),
    )
    op.create_index("ix_training_decisions_action", "training_decisions", ["action"])
    op.create_index("ix_training_decisions_created_at", "training_decisions", ["created_at"])
    op.create_table(
        "answer_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("vote_id", sa.Integer(), sa.ForeignKey("votes.id"), nullable=False, unique=True),
        sa.Column("reason", sa.String(40)),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("reviewer_login", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "response_edits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("response", sa.String(150), nullable=False),
        sa.Column("variation", sa.Integer(), nullable=False),
        sa.Column("old_text", sa.Text(), nullable=False),
        sa.Column("new_text", sa.Text(), nullable=False),
        sa.Column("target_file", sa.String(255), nullable=False),
        sa.Column("vote_id", sa.Integer(), sa.ForeignKey("votes.id")),
        sa.Column("trainer_login", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_response_edits_response", "response_edits", ["response"])
    op.create_table(
        "model_activations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("training_runs.id")),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("model_path", sa.Text(), nullable=False),
        sa.Column("previous_model_path", sa.Text()),
        sa.Column("trainer_login", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("model_activations", "response_edits", "answer_reviews", "training_decisions",
                  "training_runs"):
        op.drop_table(table)
