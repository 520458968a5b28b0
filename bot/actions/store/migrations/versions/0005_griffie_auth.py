"""issue 12 item 5: griffie login attempts and server-side sessions (security engineer fills this in).

Reserved in the chain so that three pieces of work can land in parallel; an empty upgrade is a no-op.
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
