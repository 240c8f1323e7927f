"""Enrollment: applicant lines, documents and their MRZs, photos, synthetic applicants.

Pure pieces (no database, no web): `applicant` (validated intake lines), `mrz` (ICAO
9303 zones), `normalise` (forms for matching), `photo` (checks and card sizes),
`synth` (test data). The eligibility rules are in `cityid.policy.eligibility`.
"""
