"""Documents: attachments of an exchange and of its participants, checked by their content and
stored outside the static folder (issue 16)."""
