"""gunicorn's settings: it reads this file from the folder it starts in (``gunicorn wsgi:app``).

Every line of gunicorn's access and error logs goes through the app's logger class, which
leaves the tokens of one-time links (password reset, invitation) out of the paths and the
Referer headers it writes.
"""

logger_class = "exchange.core.logs.GunicornLogger"
