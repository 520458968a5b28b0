"""Issue 13: the report's witnesses and consequences (free text, encrypted like the other answers), and
report_drafts: a report in progress kept for 24 hours when the user pauses ("ik ga later verder")

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch_op:
        batch_op.add_column(sa.Column("witnesses", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("consequences", sa.Text(), nullable=True))
    op.create_table(
        "report_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identity_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("slots", sa.Text(), nullable=False),  # encrypted JSON of the conversation's report slots
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("report_drafts")
    with op.batch_alter_table("reports") as batch_op:
        batch_op.drop_column("consequences")
        batch_op.drop_column("witnesses")
