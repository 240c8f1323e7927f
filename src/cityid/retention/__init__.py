"""Retention: schedules, legal holds, disposition batches, certificates, receipts, backups."""
