"""Index the confirmed registrations (partial): the dashboard's "attendance not marked" finds
the few confirmed places of exchanges that are over without reading every year's registrations.

Revision ID: 63162018c611
Revises: ec325e34f3f1
Create Date: 2026-12-01 10:08:14.829068

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "63162018c611"
down_revision = "ec325e34f3f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_confirmed",
            ["exchange_id"],
            unique=False,
            sqlite_where=sa.text("status = 'confirmed'"),
            postgresql_where=sa.text("status = 'confirmed'"),
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_confirmed")
