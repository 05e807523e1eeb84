"""add the participants' folded names for the search by name

``participant.search_last_first`` ("kowalska anna") and ``search_first_last`` ("anna
kowalska") are the name without case or marks (ą→a, ł→l…), as ``name_key`` folds it, so that
"zolc" finds "Żółć" by an index. On PostgreSQL the first has a trigram index (``pg_trgm``:
any part of the name); on SQLite both have a B-tree (the beginning of the name). The upgrade
fills them for the participants there are, with a copy of the app's folding as it is today (a
migration must not change when the app's code does). The downgrade leaves the ``pg_trgm``
extension in place (it may serve others; it holds no data).

Revision ID: ec325e34f3f1
Revises: 8b75386d30c0
Create Date: 2026-12-01 09:51:42.460620

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ec325e34f3f1'
down_revision = '8b75386d30c0'
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


def _fill_search_names():
    participant = sa.table(
        "participant",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("search_last_first", sa.String),
        sa.column("search_first_last", sa.String),
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
        values = []
        for id_, first, last in rows:
            first, last = _fold(first), _fold(last)
            values.append(
                {
                    "row_id": id_,
                    "last_first": f"{last} {first}".strip(),
                    "first_last": f"{first} {last}".strip(),
                }
            )
        connection.execute(
            participant.update()
            .where(participant.c.id == sa.bindparam("row_id"))
            .values(
                search_last_first=sa.bindparam("last_first"),
                search_first_last=sa.bindparam("first_last"),
            ),
            values,
        )
        last_id = rows[-1].id


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_last_first', sa.String(length=201), nullable=True))
        batch_op.add_column(sa.Column('search_first_last', sa.String(length=201), nullable=True))

    _fill_search_names()

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.alter_column('search_last_first', existing_type=sa.String(length=201), nullable=False)
        batch_op.alter_column('search_first_last', existing_type=sa.String(length=201), nullable=False)
        batch_op.create_index('ix_participant_search_first_last', ['search_first_last'], unique=False)
        batch_op.create_index('ix_participant_search_last_first', ['search_last_first'], unique=False, postgresql_using='gin', postgresql_ops={'search_last_first': 'gin_trgm_ops'})


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_search_last_first')
        batch_op.drop_index('ix_participant_search_first_last')
        batch_op.drop_column('search_first_last')
        batch_op.drop_column('search_last_first')
