"""reports.channel -> reports.medium: how the incident happened; "channel" is only the messenger

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 12:45:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch_alter_table: SQLite renames by copying the table, PostgreSQL with ALTER TABLE ... RENAME COLUMN.
    with op.batch_alter_table("reports") as batch_op:
        batch_op.alter_column("channel", new_column_name="medium")


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch_op:
        batch_op.alter_column("medium", new_column_name="channel")
