"""count refused requests per address and minute

Forms without their CSRF token and attempts over the rate limits were written to the audit
log one row each, so anyone could grow it; now they are counted in one row per client address,
reason and minute. Rows already in the audit log stay there.

Revision ID: 2c44c7fd6e8b
Revises: d904d1165eca
Create Date: 2026-12-01 03:32:11.276846

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2c44c7fd6e8b'
down_revision = 'd904d1165eca'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('refused_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minute', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_detail', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refused_requests')),
    sa.UniqueConstraint('minute', 'ip_address', 'action', name=op.f('uq_refused_requests_minute_ip_address_action'))
    )


def downgrade():
    op.drop_table('refused_requests')
