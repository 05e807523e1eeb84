"""The app's own bookkeeping tables, shared by every feature."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from exchange.extensions import Model


class DataGeneration(Model):
    """One row: a number that moves on with every committed change to the app's data.

    Rendered fragments are kept under it (``exchange.core.fragments``): a fragment of an older
    number is never shown again. The row is made by the first write; a new row starts at a
    random number, so fragments kept before the table was emptied cannot match it.
    """

    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(sa.BigInteger)
