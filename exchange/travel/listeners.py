"""How travel reacts to what the registrations announce: a person's data is exported (access
request) or erased (anonymisation, erasure on request)."""

from __future__ import annotations

from typing import Any

from exchange.registrations import signals as registration_signals
from exchange.registrations.models import Participant
from exchange.travel import privacy


@registration_signals.person_exported.connect
def export_travel(participant: Participant, **extra: Any) -> dict[str, Any]:
    """The person's identity document, legs, beds and guardian links, for their export."""
    return privacy.travel_data(participant)


@registration_signals.personal_data_erased.connect
def erase_travel(participant_ids: list[int], **extra: Any) -> None:
    """Anonymised or erased: their identity documents (every number) and guardian links go;
    seats and beds stay, naming nobody once the person is anonymous."""
    privacy.erase_travel_data(participant_ids)
