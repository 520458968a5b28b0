"""issue 14 item 2: evidence files with the report (evidence engineer fills this in).

Reserved in the chain so that three pieces of work can land in parallel; an empty upgrade is a no-op.
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
