"""What the activity report asks of the features above it, which it may not import.

A receiver runs while the report is built and answers with data, as ``claimed_exchanges`` of
the exchanges does.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: ``sender``: the report's ``ReportFilter`` (already scoped to the viewer). Each receiver
#: returns a list of ``(is_income, label, amount)``: the sums of the trips' accounts of the
#: counted exchanges (in złoty), by income source and cost category, from one grouped query.
#: The paperwork feature keeps the accounts and answers.
trip_account_sums = signals.signal("trip-account-sums")
