"""Display preferences: high contrast and large text.

Each is a cookie set by a small form in the page header (no JavaScript needed) and shows as a
class on ``<body>``, which the stylesheet uses.
"""

from __future__ import annotations

from flask import has_request_context, request

CONTRAST_COOKIE = "contrast"
TEXT_SIZE_COOKIE = "text_size"

#: the values each cookie may take; the first one is the default
CHOICES: dict[str, tuple[str, ...]] = {
    CONTRAST_COOKIE: ("normal", "high"),
    TEXT_SIZE_COOKIE: ("normal", "large"),
}


def current_display() -> dict[str, bool]:
    """The visitor's preferences, from the cookies; anything unknown means the default."""
    if not has_request_context():
        return {"high_contrast": False, "large_text": False}
    return {
        "high_contrast": request.cookies.get(CONTRAST_COOKIE) == "high",
        "large_text": request.cookies.get(TEXT_SIZE_COOKIE) == "large",
    }


def body_classes(display: dict[str, bool]) -> str:
    classes = []
    if display["high_contrast"]:
        classes.append("contrast-high")
    if display["large_text"]:
        classes.append("text-large")
    return " ".join(classes)
