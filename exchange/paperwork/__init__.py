"""A school's paperwork for a trip abroad: the trip card, the participant list, the notice to
the education superintendent, the EU list of travellers, the parents' consent forms, insurance
and the trip's accounts (issue 18)."""
