"""The paperwork's tables, a section per subject (trip card and notice; EU list of travellers)."""

from __future__ import annotations
