"""Add citizenship, place of birth and residence document to participants

For the EU list of travellers for school trips (issue 18). Existing people get an empty
citizenship: unknown, never assumed to be Polish.

Revision ID: 091b7fe0a9c8
Revises: 63fa6e6bc446
Create Date: 2026-12-01 09:40:10.230183

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "091b7fe0a9c8"
down_revision = "63fa6e6bc446"
branch_labels = None
depends_on = None

KINDS = ("residence_card", "temporary_protection", "visa", "other")


def upgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("citizenship", sa.String(length=2), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("place_of_birth", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "residence_document_kind",
                sa.Enum(
                    *KINDS,
                    name="residencedocumentkind",
                    native_enum=False,
                    create_constraint=False,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "residence_document_number", sa.String(length=40), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("residence_document_expires_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_participant_citizenship_alpha2"), "length(citizenship) IN (0, 2)"
        )
        batch_op.create_check_constraint(
            op.f("ck_participant_residencedocumentkind"),
            "residence_document_kind IN ('residence_card', 'temporary_protection', 'visa', "
            "'other')",
        )


def downgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_participant_residencedocumentkind"), type_="check")
        batch_op.drop_constraint(op.f("ck_participant_citizenship_alpha2"), type_="check")
        batch_op.drop_column("residence_document_expires_on")
        batch_op.drop_column("residence_document_number")
        batch_op.drop_column("residence_document_kind")
        batch_op.drop_column("place_of_birth")
        batch_op.drop_column("citizenship")
