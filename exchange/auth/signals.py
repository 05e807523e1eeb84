"""What the accounts announce; higher features (the audit log, the notifications) listen.

A receiver runs inside the sender's transaction: what it adds is committed with the rest.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: ``sender``: the user who logged in
logged_in = signals.signal("logged-in")
#: ``sender``: the user whose password was wrong or who is inactive, or None for an unknown
#: e-mail address; ``reason``: "unknown e-mail", "inactive" or "wrong password"
login_failed = signals.signal("login-failed")
#: ``sender``: the user who logged in; ``target``: the ``next`` address that was not followed
redirect_refused = signals.signal("redirect-refused")
#: ``sender``: the active user a password reset link was made for, or None for an unknown or
#: inactive address (the same work is done either way)
password_reset_asked = signals.signal("password-reset-asked")
#: ``sender``: the invited user; ``link``: the one-time link for an e-mail; ``valid_days``
invitation_created = signals.signal("invitation-created")
#: ``sender``: the normalised e-mail address that asked (an account may or may not use it);
#: ``link``: the one-time link; ``valid_minutes``. The receiver must do the same work whether
#: or not an active account uses the address (no timing tells it).
password_reset_link_made = signals.signal("password-reset-link-made")
#: an account's access request: ``sender``: the user whose data is exported; ``by``: who asked
#: (the user, or an admin). Each receiver returns a dict of sections to add to the export
#: (what its feature holds about the account); the audit log records the export.
account_exported = signals.signal("account-exported")
