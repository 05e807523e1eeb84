"""What the accounts announce; higher features (the notifications) listen.

A receiver runs inside the sender's transaction: what it adds is committed with the rest.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: ``sender``: the invited user; ``link``: the one-time link for an e-mail; ``valid_days``
invitation_created = signals.signal("invitation-created")
#: ``sender``: the normalised e-mail address that asked (an account may or may not use it);
#: ``link``: the one-time link; ``valid_minutes``. The receiver must do the same work whether
#: or not an active account uses the address (no timing tells it).
password_reset_link_made = signals.signal("password-reset-link-made")
