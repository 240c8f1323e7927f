"""Appointments: enrollment centres, the slots a supervisor releases, residents' bookings."""
