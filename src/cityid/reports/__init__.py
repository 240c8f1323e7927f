"""Reports for staff: counts of what the program holds and does, never a person."""
