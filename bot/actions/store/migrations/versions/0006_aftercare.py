"""issue 14 item 1: aftercare consent and scheduled check-ins (actions/store/aftercare.py)

aftercare_plans: one row per report once the user was asked "may I check in later?" (consent null until answered,
then yes or no; stopped, last answer). aftercare_checkins: the question (position 0) and, with consent, one row per
moment (24 hours, 3 days, 4 weeks after filing by default), claimed atomically by the worker (claimed_until) and
retried with backoff (next_attempt_at).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "aftercare_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("decided_at", _TZ, nullable=True),
        sa.Column("section", sa.String(length=256), nullable=True),
        sa.Column("stopped_at", _TZ, nullable=True),
        sa.Column("stopped_by", sa.String(length=16), nullable=True),
        sa.Column("last_answer", sa.String(length=16), nullable=True),
        sa.Column("last_answer_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id"),
    )
    op.create_table(
        "aftercare_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("due_at", _TZ, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TZ, nullable=False),
        sa.Column("claimed_until", _TZ, nullable=True),
        sa.Column("sent_at", _TZ, nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", _TZ, nullable=True),
        sa.Column("last_error", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "position"),
    )
    op.create_index("ix_aftercare_checkins_report_id", "aftercare_checkins", ["report_id"], unique=False)
    op.create_index("ix_aftercare_checkins_due", "aftercare_checkins", ["state", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_aftercare_checkins_due", table_name="aftercare_checkins")
    op.drop_index("ix_aftercare_checkins_report_id", table_name="aftercare_checkins")
    op.drop_table("aftercare_checkins")
    op.drop_table("aftercare_plans")
