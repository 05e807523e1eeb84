"""add indexes for period filters and the participants list

Exchanges overlapping a period (reports, the month calendar, the list's year filter) are found
by their end date; the participants list is paged by name. Plain CREATE INDEX on both
databases: no table is rebuilt.

Revision ID: 362816a29b30
Revises: 3f9980491f41
Create Date: 2026-11-27 10:39:24.511447

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '362816a29b30'
down_revision = '3f9980491f41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_exchange_end_date_start_date', 'exchange', ['end_date', 'start_date'])
    op.create_index('ix_participant_name', 'participant', ['last_name', 'first_name', 'id'])


def downgrade():
    op.drop_index('ix_participant_name', table_name='participant')
    op.drop_index('ix_exchange_end_date_start_date', table_name='exchange')
