"""The data generation: one row, moved on by every committed change to the app's data, under
which rendered fragments (the exchanges list) are kept (exchange/core/fragments.py).

Revision ID: 6e9843a1b42d
Revises: 63162018c611
Create Date: 2026-12-01 12:59:56.477019

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6e9843a1b42d"
down_revision = "63162018c611"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_generation")),
    )


def downgrade():
    op.drop_table("data_generation")
