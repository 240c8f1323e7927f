"""Card production: print batches for the print partner, mail, and pickup at a centre."""
