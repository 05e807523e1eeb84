"""Participants, their registrations for exchanges, parental consent and bulk import."""
