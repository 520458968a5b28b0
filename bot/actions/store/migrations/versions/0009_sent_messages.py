"""The bridges' delivered messages by idempotency key (a SHA-256 of it), so that a retry after a restart is not
sent twice (actions/store/sent.py, channels/idempotency.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_messages",
        sa.Column("key_hash", sa.String(length=64), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("sent_messages")
