"""Tests of the pure enrollment core: MRZ, applicant lines, eligibility, photos, synth."""
