"""What the accounts announce; higher features (the audit log) listen.

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
