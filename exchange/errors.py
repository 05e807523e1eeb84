"""Domain errors: raised by services, carrying a sentence for the user."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the operation. ``str(error)`` is the message to show; ``field`` names
    the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)

    @property
    def messages(self) -> list[str]:
        """Every sentence to show (a refusal of several things at once has one per thing)."""
        return [str(self)]
