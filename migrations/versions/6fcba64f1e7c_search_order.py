"""The participant search reads its first page in order from B-trees on both databases: the
folded names are compared character by character ("C") on PostgreSQL whatever the database's
collation, as on SQLite; the "last first" name gets a B-tree beside its trigram index, and the
"first last" name's B-tree ends with the id (the order of a page) as the new one does.

Revision ID: 6fcba64f1e7c
Revises: 6e9843a1b42d
Create Date: 2026-12-01 13:30:12.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6fcba64f1e7c"
down_revision = "6e9843a1b42d"
branch_labels = None
depends_on = None

COLUMNS = ("search_last_first", "search_first_last")
LENGTH = 201


def _collate(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares text character by character already
    for column in COLUMNS:
        op.alter_column(
            "participant",
            column,
            type_=sa.String(LENGTH, collation=collation),
            existing_type=sa.String(LENGTH),
            existing_nullable=False,
        )


def upgrade():
    _collate("C")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_participant_search_last_first_order", ["search_last_first", "id"], unique=False
        )
        batch_op.drop_index("ix_participant_search_first_last")
        batch_op.create_index(
            "ix_participant_search_first_last", ["search_first_last", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index("ix_participant_search_first_last")
        batch_op.create_index(
            "ix_participant_search_first_last", ["search_first_last"], unique=False
        )
        batch_op.drop_index("ix_participant_search_last_first_order")
    _collate("default")
