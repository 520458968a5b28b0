"""issue 14 item 2: evidence with a report (actions/store/evidence.py)

evidence: one row per photo, screenshot, PDF or link a user sent; the file, its name as sent and a link's text
are Fernet tokens (the report key). report_id is empty while the conversation has filed no report yet.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("identity_hash", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_report_id", "evidence", ["report_id"], unique=False)
    op.create_index("ix_evidence_conversation_id", "evidence", ["conversation_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_evidence_conversation_id", table_name="evidence")
    op.drop_index("ix_evidence_report_id", table_name="evidence")
    op.drop_table("evidence")
