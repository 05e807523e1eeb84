"""Protection on every response: security headers, and the proxy set-up (ProxyFix)."""

from __future__ import annotations

from flask import Flask, Response, abort, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

#: the templates load styles from this site only and use no inline scripts or styles
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
#: browser features the app never uses
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def set_security_headers(response: Response) -> Response:
    """``after_request``: the headers above, HSTS over HTTPS, no caching of logged-in pages.

    A view may set its own value for any of them first (``setdefault``).
    """
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # pages seen when logged in hold personal data (children's among them): no copy in the
    # browser cache or a shared proxy, so the back button after log-out shows nothing
    if "_user_id" in session and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


#: the bodies the app reads: HTML forms, with or without files
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_non_form_bodies() -> None:
    """``before_request``: a body that is not a form is refused (415), not parsed.

    The app has forms only. Flask-WTF would read a JSON body as form data too, and anything
    keyed on the parsed form (the log-in limits per account) would then see an empty form: a
    second bucket of guesses. The CSRF check comes first, so a forged request is still
    refused as such.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype and request.mimetype not in FORM_TYPES:
        abort(415)


def register(app: Flask) -> None:
    app.before_request(refuse_non_form_bodies)
    app.after_request(set_security_headers)
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        # trust exactly this many proxies: the client address (rate limits, audit) and the
        # scheme (Secure cookies, HSTS, links) come from their X-Forwarded-* headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)  # type: ignore[method-assign]
