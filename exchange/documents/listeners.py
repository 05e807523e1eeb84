"""How the documents follow the registrations: a person's access export and erasure."""

from __future__ import annotations

from typing import Any

from exchange.documents import privacy
from exchange.registrations import signals as registration_signals
from exchange.registrations.models import Participant


@registration_signals.person_exported.connect
def export_documents(participant: Participant, **extra: Any) -> dict[str, Any]:
    """The person's signed consent forms, listed (names and dates, no content)."""
    return privacy.documents_data(participant)


@registration_signals.personal_data_erased.connect
def erase_documents(participant_ids: list[int], **extra: Any) -> None:
    """Anonymised or erased: their documents go, rows and files."""
    privacy.erase_documents_of(participant_ids)
