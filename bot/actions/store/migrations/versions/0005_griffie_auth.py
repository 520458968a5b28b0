"""issue 12 item 5: griffie login attempts (atomic lockout per account) and server-side sessions
(actions/store/auth.py)

griffie_login_attempts: one row per login name, the attempts of the current window (claimed with one UPDATE
... RETURNING before the password is checked). griffie_sessions: the SHA-256 of each login cookie's session id,
the account, the expiry and, after logout, when it was revoked.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "griffie_login_attempts",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_start", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "griffie_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_griffie_sessions_username", "griffie_sessions", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_griffie_sessions_username", table_name="griffie_sessions")
    op.drop_table("griffie_sessions")
    op.drop_table("griffie_login_attempts")
