"""What the registrations announce; higher features (the notifications) listen.

A receiver runs inside the sender's transaction, after the change is flushed: what it adds is
committed with the change, or rolled back with it.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: one registering action: ``sender``: the exchange; ``registrations``: those just made (each
#: confirmed or waiting), in the order registered; ``by``
registered = signals.signal("registered")
#: ``sender``: the exchange; ``registrations``: those just moved from the waiting list to a
#: place; ``by``
moved_up = signals.signal("moved-up")
#: ``sender``: the registration just withdrawn; ``by``
withdrawn = signals.signal("withdrawn")
#: an access request: ``sender``: the participant; each receiver returns a dict of sections to
#: add to the export (what its feature holds about the person)
person_exported = signals.signal("person-exported")
#: ``sender``: the ids of participants whose personal data was just erased or anonymised
personal_data_erased = signals.signal("personal-data-erased")
#: ``sender``: the exchange, cancelled; ``registrations``: those cancelled with it; ``by``
registrations_cancelled = signals.signal("registrations-cancelled")
#: ``sender``: the consent just withdrawn; ``participant``: its person; ``registrations``: the
#: places (and waiting positions) withdrawn with it, in exchanges that have not started (none
#: when another consent is still valid); ``by``
consent_withdrawn = signals.signal("consent-withdrawn")
