"""The 2016 story's calendar, court and reasons: what the steps of `cityid demo` share."""

from __future__ import annotations

import datetime as dt

SWITCH_DAY = dt.date(2016, 12, 7)
DAY_AFTER_SWITCH = dt.date(2016, 12, 8)
DESTRUCTION_DAY = dt.date(2016, 12, 31)
ORDER_DATE = dt.date(2016, 12, 5)
SUBPOENA_DAY = dt.date(2016, 12, 20)
RELEASE_DAY = dt.date(2017, 4, 24)
COURT = "Richmond County Supreme Court"
DOCKET = "Index No. 80258/16"
HOLD_REASON = (
    "Temporary restraining order: two Assembly members petition under the Freedom of "
    "Information Law to preserve IDNYC application documents; destruction barred until "
    "a hearing."
)
RELEASE_REASON = (
    "April 2017: the court found the petitioners lacked standing and dismissed the "
    "petition; the short stay for an appeal has run out."
)
CARDS_TO_ISSUE = 4
