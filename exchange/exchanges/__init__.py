"""Exchanges: the activities with partner cities, their programme, calendar and feeds."""
