"""What the exchanges announce; higher features (registrations, notifications) listen.

A receiver runs inside the sender's transaction, after the change is flushed: what it does is
committed with the change, or rolled back with it.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: ``sender``: the exchange, just cancelled (its ``cancel_reason`` says why); ``by``: the user
#: who cancelled it
exchange_cancelled = signals.signal("exchange-cancelled")
#: ``sender``: the exchange, locked (``lock_for_update``), whose capacity or per-institution
#: quota has just grown; ``by``: the user who changed it
places_added = signals.signal("places-added")
#: ``sender``: the exchange whose registration has just opened (or reopened); ``by``
registration_opened = signals.signal("registration-opened")
#: ``sender``: the exchange; ``changes``: a list of ``(field, old, new)`` for its dates, venue,
#: city or programme, values as text (dates in ISO form); ``by``
exchange_changed = signals.signal("exchange-changed")
#: ``sender``: a user; each receiver returns a condition on ``Exchange`` naming the exchanges
#: that are the user's through the receiver's feature (a school's: those its people are
#: registered in), or None; the list's "mine" filter takes any of them
claimed_exchanges = signals.signal("claimed-exchanges")
