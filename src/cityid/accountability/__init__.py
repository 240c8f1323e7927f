"""Accountability for every read of a person's record (issue 21).

- `purposes`, `scope`, `alert_rules`, `report_check`: pure rules (no database, no web).
- `guard`: the read guard enrollment asks before every open and search (its port
  `enrollment.access.READ_GUARD`, bound in `cityid.bootstrap`).
- `centres`, `exceptions`: who works where; supervisors' time-limited exceptions.
- `report`: "who looked at my record", each line with its inclusion proof.
- `alerts`: insider-alert rules run over the audit log, kept for the auditor's queue.

The audit log never holds personal data: entries name opaque application ids, and the
access report is the list of entries naming one id.
"""
