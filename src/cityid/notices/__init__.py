"""Notices to applicants and residents: the outbox, its templates, delivery, one-time codes.

A service that changes something a person should hear about calls `outbox.enqueue` in
its own unit of work, so the notice exists exactly when the change does. The worker
(`delivery.run_once`, `cityid notify run`, a thread inside `cityid serve`) sends it later
over SMTP or the SMS gateway, retrying with back-off. Recipients' addresses are sealed in
the outbox row and erased once the row is delivered or given up.
"""
