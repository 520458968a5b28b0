"""issue 14 item 1: aftercare consent and scheduled check-ins (aftercare engineer fills this in).

Reserved in the chain so that three pieces of work can land in parallel; an empty upgrade is a no-op.
"""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
