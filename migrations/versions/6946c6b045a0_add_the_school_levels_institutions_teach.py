"""add the school levels institutions teach, and the consent-withdrawn e-mail

Revision ID: 6946c6b045a0
Revises: 54aa9406c4a9
Create Date: 2026-12-01 05:55:11.504939

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6946c6b045a0'
down_revision = '54aa9406c4a9'
branch_labels = None
depends_on = None

KINDS = (
    'invitation', 'password_reset', 'registration_summary', 'moved_up', 'withdrawal_confirmed',
    'registration_cancelled', 'exchange_changed', 'consent_reminder', 'start_reminder',
    'registration_opened',
)
NEW_KINDS = KINDS + ('consent_withdrawn',)


def _allow_kinds(kinds):
    """Replace the CHECK constraint of the e-mail kinds (an enum stored as VARCHAR) on both
    tables that hold a kind; batch mode copies the table on SQLite."""
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    for table in ('notification', 'notification_choice'):
        name = f'ck_{table}_notificationkind'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_='check')
            batch_op.create_check_constraint(op.f(name), sa.text(f"kind IN ({listed})"))


def upgrade():
    op.create_table('institution_level',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('primary', 'secondary', 'vocational', name='schoollevel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_institution_level_institution_id_institution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'level', name=op.f('pk_institution_level'))
    )
    with op.batch_alter_table('institution_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institution_level_level'), ['level'], unique=False)
    _allow_kinds(NEW_KINDS)


def downgrade():
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'consent_withdrawn'"))
    op.execute(sa.text("DELETE FROM notification_choice WHERE kind = 'consent_withdrawn'"))
    _allow_kinds(KINDS)
    with op.batch_alter_table('institution_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_institution_level_level'))

    op.drop_table('institution_level')
