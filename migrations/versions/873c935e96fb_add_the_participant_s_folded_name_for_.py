"""add the participant's folded name for finding duplicates

``participant.name_key`` is the name without case, marks (ą→a, ł→l…) or repeated spaces, so
that a person typed twice in an institution, with the same date of birth, is found by an index.
The upgrade fills it for the participants there are, with a copy of the app's folding as it is
today (a migration must not change when the app's code does).

Revision ID: 873c935e96fb
Revises: f45fcc28fdaa
Create Date: 2026-12-01 05:43:19.029415

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '873c935e96fb'
down_revision = 'f45fcc28fdaa'
branch_labels = None
depends_on = None

#: the participants read and written at a time
BATCH = 1000
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})


def _fold(name):
    """exchange.registrations.models._fold, as of this revision."""
    text = unicodedata.normalize("NFKD", (name or "").translate(_UNDECOMPOSED))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())[:100]


def _fill_name_keys():
    participant = sa.table(
        "participant",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("name_key", sa.String),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(participant.c.id, participant.c.first_name, participant.c.last_name)
            .where(participant.c.id > last_id)
            .order_by(participant.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            participant.update()
            .where(participant.c.id == sa.bindparam("row_id"))
            .values(name_key=sa.bindparam("key")),
            [{"row_id": id_, "key": f"{_fold(last)}\x1f{_fold(first)}"} for id_, first, last in rows],
        )
        last_id = rows[-1].id


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=201), nullable=True))

    _fill_name_keys()

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=201), nullable=False)
        batch_op.create_index('ix_participant_name_key', ['institution_id', 'name_key', 'date_of_birth'], unique=False)


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_name_key')
        batch_op.drop_column('name_key')
