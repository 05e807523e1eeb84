"""How hosting follows the registrations: a participant's access export and erasure."""

from __future__ import annotations

from typing import Any

from exchange.hosting import privacy
from exchange.registrations import signals as registration_signals
from exchange.registrations.models import Participant


@registration_signals.person_exported.connect
def export_hosting(participant: Participant, **extra: Any) -> dict[str, Any]:
    return privacy.person_sections(participant)


@registration_signals.personal_data_erased.connect
def erase_host_families(participant_ids: list[int], **extra: Any) -> None:
    privacy.erase_families_of(participant_ids)
