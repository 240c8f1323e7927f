"""Enrollment: applicant lines, documents and their MRZs, photos, eligibility, intake.

Pure pieces (no database, no web): `applicant` (validated intake lines), `mrz` (ICAO
9303 zones), `normalise` (forms for matching), `photo` (checks and card sizes),
`eligibility` (the rules, next to the applicant types they judge), `document_token`
(keyed tokens of identity documents). `screening` is the port matching answers.
Synthetic applicants are development tooling: `cityid.devtools.synth`.
"""
