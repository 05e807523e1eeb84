"""Domain errors: raised by services, carrying a sentence for the user."""

from __future__ import annotations

from collections.abc import Iterable


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

    @property
    def parts(self) -> list[DomainError]:
        """The refusals this one is made of, each with its field: itself, unless it gathers
        several (``Refusals``)."""
        return [self]


class Refusals(DomainError):
    """Several rules refused at once, each naming its field, so the form shows every problem
    after one submit. ``str()`` and ``field`` are the first refusal's."""

    def __init__(self, errors: Iterable[DomainError]) -> None:
        self.errors = list(errors)
        if not self.errors:
            raise ValueError("Refusals needs at least one refusal")
        super().__init__(self.errors[0].message, self.errors[0].field)

    @property
    def messages(self) -> list[str]:
        return [message for error in self.errors for message in error.messages]

    @property
    def parts(self) -> list[DomainError]:
        return [part for error in self.errors for part in error.parts]
