"""Activity reports: figures, charts, exports and the annual PDF."""
