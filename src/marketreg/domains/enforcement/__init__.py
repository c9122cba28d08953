"""Enforcement cases (执法办案). So far: the clue register (线索登记) that complaints, reports
and inspections feed, with its verification clock."""
