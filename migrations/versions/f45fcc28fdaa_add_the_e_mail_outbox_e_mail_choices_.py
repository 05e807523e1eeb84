"""add the e-mail outbox, e-mail choices and each account's language

Revision ID: f45fcc28fdaa
Revises: 2c44c7fd6e8b
Create Date: 2026-12-01 04:08:55.914816

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f45fcc28fdaa'
down_revision = '2c44c7fd6e8b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.Enum('invitation', 'password_reset', 'registration_summary', 'moved_up', 'withdrawal_confirmed', 'registration_cancelled', 'exchange_changed', 'consent_reminder', 'start_reminder', 'registration_opened', name='notificationkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('state', sa.Enum('pending', 'sent', 'failed', name='deliverystate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state <> 'sent' OR sent_at IS NOT NULL", name=op.f('ck_notification_sent_has_time')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notification_attempts_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_dedupe_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_notification_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('notification_choice',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invitation', 'password_reset', 'registration_summary', 'moved_up', 'withdrawal_confirmed', 'registration_cancelled', 'exchange_changed', 'consent_reminder', 'start_reminder', 'registration_opened', name='notificationkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('wanted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_choice_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_choice'))
    )
    op.create_table('notification_subject',
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_notification_subject_notification_id_notification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_notification_subject_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notification_id', 'participant_id', name=op.f('pk_notification_subject'))
    )
    with op.batch_alter_table('notification_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_subject_participant_id'), ['participant_id'], unique=False)

    # existing accounts: Polish, but English for the partner cities' institutions (as
    # exchange.auth.models.default_language decides for new ones)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=8), server_default='pl', nullable=False)
        )
    op.execute(
        "UPDATE user_account SET language = 'en' WHERE institution_id IN "
        "(SELECT id FROM institution WHERE partner_city_id IS NOT NULL)"
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('language', server_default=None)
        batch_op.create_check_constraint(
            op.f('ck_user_account_language_known'), "language IN ('pl', 'en')"
        )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_language_known'), type_='check')
        batch_op.drop_column('language')

    with op.batch_alter_table('notification_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_subject_participant_id'))

    op.drop_table('notification_subject')
    op.drop_table('notification_choice')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index('ix_notification_state_next_attempt_at')
        batch_op.drop_index('ix_notification_created_at')

    op.drop_table('notification')
