"""What the exchanges announce; higher features (the registrations) listen.

A receiver runs inside the sender's transaction, after the change is flushed: what it does is
committed with the change, or rolled back with it.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: ``sender``: the exchange, just cancelled; ``by``: the user who cancelled it
exchange_cancelled = signals.signal("exchange-cancelled")
#: ``sender``: the exchange, locked (``lock_for_update``), whose capacity or per-institution
#: quota has just grown; ``by``: the user who changed it
places_added = signals.signal("places-added")
